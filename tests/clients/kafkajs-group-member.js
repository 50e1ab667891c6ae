// One member of a consumer group, with kafkajs 2.2.4's consumer (auto-commit after each batch, its
// default). Used by the end-to-end tests:
//   node kafkajs-group-member.js HOST:PORT GROUP TOPIC
// Subscribes from the beginning (which only applies where the group has no committed offset) and prints
// one JSON object per line:
//   {"event":"joined","memberId":"...","partitions":[0,2]}                   after every (re)join
//   {"event":"message","partition":0,"offset":"5","key":"k","value":"v"}   per message, before its commit
//   {"event":"left"}                                                         after SIGTERM, once it left the group
// SIGTERM disconnects cleanly (commits, then LeaveGroup) and exits 0.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

// Kafka's group.min.session.timeout.ms is 6 s; a short heartbeat lets the member that stays notice a
// rebalance within a second instead of kafkajs's default 3 s.
const SESSION_TIMEOUT_MS = 10000;
const REBALANCE_TIMEOUT_MS = 10000;
const HEARTBEAT_INTERVAL_MS = 500;
const MAX_WAIT_TIME_MS = 200;
// A member nobody stops (a test that died) ends itself.
const LIFETIME_MAX_MS = 5 * 60 * 1000;

const [broker, groupId, topic] = process.argv.slice(2);
if (!broker || !groupId || !topic) {
  console.error('usage: node kafkajs-group-member.js HOST:PORT GROUP TOPIC');
  process.exit(2);
}

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const kafka = new Kafka({
  clientId: 'e2e-kafkajs-member',
  brokers: [broker],
  retry: { retries: 5 },
  logLevel: logLevel.WARN,
});
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: SESSION_TIMEOUT_MS,
  rebalanceTimeout: REBALANCE_TIMEOUT_MS,
  heartbeatInterval: HEARTBEAT_INTERVAL_MS,
  maxWaitTimeInMs: MAX_WAIT_TIME_MS,
});

consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  emit({
    event: 'joined',
    memberId: payload.memberId,
    partitions: [...(payload.memberAssignment[topic] || [])].sort((a, b) => a - b),
  });
});

consumer.on(consumer.events.CRASH, ({ payload }) => {
  console.error(`kafkajs: consumer crashed (restart: ${payload.restart}): ${payload.error.name}: ${payload.error.message}`);
});

let stopping = false;
async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  try {
    await consumer.disconnect();
    emit({ event: 'left' });
  } catch (error) {
    console.error(`kafkajs: disconnect failed: ${error.name}: ${error.message}`);
    exitCode = 1;
  }
  process.exit(exitCode);
}
process.on('SIGTERM', () => stop(0));
setTimeout(() => {
  console.error(`kafkajs: nobody stopped this member within ${LIFETIME_MAX_MS} ms`);
  stop(3);
}, LIFETIME_MAX_MS).unref();

async function main() {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      emit({
        event: 'message',
        partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString(),
        value: message.value === null ? null : message.value.toString(),
      });
    },
  });
}

main().catch((error) => {
  console.error(`kafkajs: ${error.name}: ${error.message}`);
  process.exit(1);
});
