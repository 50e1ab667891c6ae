#!/usr/bin/python3
"""A consumer-group member with manual commits, with confluent-kafka-python (Debian's 1.7.0 on librdkafka
2.0.2), for the end-to-end tests:

    /usr/bin/python3 confluent-commit-consumer.py HOST:PORT GROUP TOPIC --max-messages N

enable.auto.commit is off: each message is processed (printed) first and its offset committed
synchronously after, so the group's committed offset is always just past the last message printed (the
at-least-once pattern). Where the group has no committed offset it starts at the earliest one. Prints

    consumed PARTITION OFFSET VALUE

per message, stops after N, leaves the group and exits 0. Exits 1 when no message arrives for
--idle-timeout-s seconds before N were read.
"""

import argparse
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException

POLL_TIMEOUT_S = 0.5


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap")
    parser.add_argument("group")
    parser.add_argument("topic")
    parser.add_argument("--max-messages", type=int, required=True)
    parser.add_argument("--idle-timeout-s", type=float, default=30.0)
    return parser.parse_args()


def consume(consumer, arguments):
    """Returns how many messages were consumed and committed."""
    consumed = 0
    last_message_at = time.monotonic()
    while consumed < arguments.max_messages:
        message = consumer.poll(POLL_TIMEOUT_S)
        if message is None:
            if time.monotonic() - last_message_at > arguments.idle_timeout_s:
                print(f"confluent-kafka: no message for {arguments.idle_timeout_s} s after {consumed}", file=sys.stderr)
                return consumed
            continue
        if message.error() is not None:
            if message.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(message.error())
        print(f"consumed {message.partition()} {message.offset()} {message.value().decode()}", flush=True)
        # Commits offset + 1 and waits for the coordinator's answer.
        consumer.commit(message=message, asynchronous=False)
        consumed += 1
        last_message_at = time.monotonic()
    return consumed


def main():
    arguments = parse_arguments()
    consumer = Consumer({
        "bootstrap.servers": arguments.bootstrap,
        "group.id": arguments.group,
        "client.id": "e2e-confluent-consumer",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    try:
        consumer.subscribe([arguments.topic])
        consumed = consume(consumer, arguments)
    finally:
        consumer.close()
    return 0 if consumed == arguments.max_messages else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KafkaException as error:
        print(f"confluent-kafka: {error}", file=sys.stderr)
        sys.exit(1)
