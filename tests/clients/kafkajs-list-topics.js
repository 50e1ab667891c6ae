// Connects kafkajs 2.2.4's admin client to one broker and lists the topics, giving up quickly.
// Used by capture-golden to record the requests kafkajs opens a connection with:
//   node kafkajs-list-topics.js 127.0.0.1:PORT
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2];
if (!broker) {
  console.error('usage: node kafkajs-list-topics.js HOST:PORT');
  process.exit(2);
}

const kafka = new Kafka({
  clientId: 'reference-capture',
  brokers: [broker],
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
});

async function main() {
  const admin = kafka.admin();
  try {
    await admin.connect();
    console.log(JSON.stringify(await admin.listTopics()));
  } finally {
    await admin.disconnect();
  }
}

main().catch((error) => {
  console.error(`kafkajs: ${error.name}: ${error.message}`);
  process.exit(1);
});
