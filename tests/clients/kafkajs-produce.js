// Creates a topic with kafkajs 2.2.4's admin client (optionally), then produces COUNT keyed messages with
// its producer (acks=-1, its default partitioner: Java's murmur2). Used by the end-to-end tests:
//   node kafkajs-produce.js HOST:PORT TOPIC [--create PARTITIONS] [--count N] [--prefix P]
// Message i has key "P-key-i" and value "P-value-i". Prints one JSON object per line:
//   {"event":"created","created":true}                          after --create (false: it existed)
//   {"event":"sent","partition":0,"errorCode":0,"baseOffset":"0"}  per partition written
// Exits 0 when every message was acknowledged, 1 with "kafkajs: ..." on stderr otherwise.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

// Bounds, so a broker that never answers fails the run instead of hanging it.
const REQUEST_TIMEOUT_MS = 30000;
const RETRIES = 5;

function parseArguments(argv) {
  const [broker, topic, ...rest] = argv;
  if (!broker || !topic) usage();
  const options = { broker, topic, partitions: null, count: 0, prefix: 'kafkajs' };
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (value === undefined) usage();
    if (rest[i] === '--create') options.partitions = Number(value);
    else if (rest[i] === '--count') options.count = Number(value);
    else if (rest[i] === '--prefix') options.prefix = value;
    else usage();
  }
  return options;
}

function usage() {
  console.error('usage: node kafkajs-produce.js HOST:PORT TOPIC [--create PARTITIONS] [--count N] [--prefix P]');
  process.exit(2);
}

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const kafka = new Kafka({
    clientId: 'e2e-kafkajs-produce',
    brokers: [options.broker],
    requestTimeout: REQUEST_TIMEOUT_MS,
    retry: { retries: RETRIES },
    logLevel: logLevel.WARN,
  });

  if (options.partitions !== null) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [{ topic: options.topic, numPartitions: options.partitions, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      emit({ event: 'created', created });
    } finally {
      await admin.disconnect();
    }
  }

  if (options.count > 0) {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = Array.from({ length: options.count }, (_, i) => ({
        key: `${options.prefix}-key-${i}`,
        value: `${options.prefix}-value-${i}`,
      }));
      const written = await producer.send({ topic: options.topic, acks: -1, messages });
      for (const partition of written) {
        emit({
          event: 'sent',
          partition: partition.partition,
          errorCode: partition.errorCode,
          baseOffset: partition.baseOffset,
        });
      }
    } finally {
      await producer.disconnect();
    }
  }
}

main().catch((error) => {
  console.error(`kafkajs: ${error.name}: ${error.message}`);
  process.exit(1);
});
