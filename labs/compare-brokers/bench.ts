/**
 * Compare brokers: measure the workload of README.md on Redis, RabbitMQ and Kafka, end to
 * end, and write the numbers to RESULTS_FILE. This starter writes zeros without measuring
 * anything: replace each TODO.
 */
import { type BrokerNumbers, config, waitForTheLab, writeResults } from './workload.js';

async function measureRedis(): Promise<BrokerNumbers> {
  // TODO: XADD config.messages messages of config.size bytes (field "m") to config.stream in
  // bursts of config.burst every config.intervalMs ms; read them with XREADGROUP in the group
  // config.streamGroup, XACK them, and time each from its publish to its consume.
  return { count: 0, throughput: 0, p50: 0, p99: 0 };
}

async function measureRabbitMq(): Promise<BrokerNumbers> {
  // TODO: publish to the exchange config.exchange, consume config.queue and ack each message.
  return { count: 0, throughput: 0, p50: 0, p99: 0 };
}

async function measureKafka(): Promise<BrokerNumbers> {
  // TODO: produce to config.topic, consume it in the group config.groupId (committing offsets).
  return { count: 0, throughput: 0, p50: 0, p99: 0 };
}

console.log(`measuring ${config.messages} messages of ${config.size} B per broker`);
// One broker after the other: measured at the same time they would slow each other down.
const redis = await measureRedis();
const rabbitmq = await measureRabbitMq();
const kafka = await measureKafka();
await writeResults({ redis, rabbitmq, kafka });
waitForTheLab();
