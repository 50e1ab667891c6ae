#!/usr/bin/python3
"""Produces numbered messages with confluent-kafka-python (Debian's 1.7.0 on librdkafka 2.0.2) and prints
every acknowledgement, for the end-to-end tests:

    /usr/bin/python3 confluent-producer.py HOST:PORT TOPIC --count N --acks all|1 [--idempotent] [--prefix P]

Message i has key "P-key-i" and value "P-" followed by i in nine digits. Each delivery the broker
acknowledged prints, as soon as it is reported:

    acked PARTITION OFFSET VALUE

The fixed-width value lets a reader tell a whole line from one cut short when the process is killed
mid-write (the crash tests kill it). A failed delivery prints "failed VALUE: ERROR" on stderr. The run
ends with "delivered N failed M" and exits 0 only when every message was acknowledged.
"""

import argparse
import sys

from confluent_kafka import KafkaException, Producer

# Bounds on a run against a broker that stops answering: a message not acknowledged by then fails.
MESSAGE_TIMEOUT_MS = 30000
FLUSH_TIMEOUT_S = 60
QUEUE_FULL_WAIT_S = 0.05


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--acks", choices=["all", "1"], required=True)
    parser.add_argument("--idempotent", action="store_true")
    parser.add_argument("--prefix", default="confluent")
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    producer = Producer({
        "bootstrap.servers": arguments.bootstrap,
        "client.id": "e2e-confluent-producer",
        "acks": arguments.acks,
        "enable.idempotence": arguments.idempotent,
        "message.timeout.ms": MESSAGE_TIMEOUT_MS,
        # Java's partitioner, so keys land where Kafka users expect them.
        "partitioner": "murmur2_random",
    })
    outcome = {"delivered": 0, "failed": 0}

    def report(error, message):
        value = message.value().decode()
        if error is not None:
            outcome["failed"] += 1
            print(f"failed {value}: {error}", file=sys.stderr, flush=True)
            return
        outcome["delivered"] += 1
        sys.stdout.write(f"acked {message.partition()} {message.offset()} {value}\n")

    for i in range(arguments.count):
        key, value = f"{arguments.prefix}-key-{i}", f"{arguments.prefix}-{i:09d}"
        while True:
            try:
                producer.produce(arguments.topic, key=key, value=value, on_delivery=report)
                break
            except BufferError:
                producer.poll(QUEUE_FULL_WAIT_S)
        producer.poll(0)
        sys.stdout.flush()
    remaining = producer.flush(FLUSH_TIMEOUT_S)
    sys.stdout.flush()
    print(f"delivered {outcome['delivered']} failed {outcome['failed'] + remaining}", flush=True)
    return 0 if outcome["failed"] == 0 and remaining == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KafkaException as error:
        print(f"confluent-kafka: {error}", file=sys.stderr)
        sys.exit(1)
