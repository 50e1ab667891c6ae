#!/usr/bin/python3
"""Asks one broker for its topics with confluent-kafka-python (Debian's 1.7.0 on librdkafka 2.0.2).

Used by capture-golden to record the requests this client opens a connection with:
    /usr/bin/python3 confluent-list-topics.py 127.0.0.1:PORT
"""

import sys

from confluent_kafka.admin import AdminClient

LIST_TOPICS_TIMEOUT_SECONDS = 3


def main():
    if len(sys.argv) != 2:
        print("usage: confluent-list-topics.py HOST:PORT", file=sys.stderr)
        return 2
    admin = AdminClient({"bootstrap.servers": sys.argv[1], "socket.timeout.ms": 2000})
    try:
        metadata = admin.list_topics(timeout=LIST_TOPICS_TIMEOUT_SECONDS)
    except Exception as error:  # KafkaException: the broker did not answer in time
        print(f"confluent-kafka: {error}", file=sys.stderr)
        return 1
    print(sorted(metadata.topics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
