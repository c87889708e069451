/**
 * WRONG: no consumer at all: publishes each burst, takes the publish call's time as the
 * latency and the publish side's time span for the throughput. The queue stays full.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BrokerNumbers, config, percentile, waitForTheLab, writeResults } from '../../../labs/compare-brokers/workload.js';

interface Pipe {
  publish(bodies: Buffer[]): Promise<void>;
  close(): Promise<void>;
}
type OnMessage = (body: Buffer) => void;

/** "<seq> <publish time in ms>" padded with dots to exactly config.size bytes. */
function message(seq: number, sentAt: number): Buffer {
  const body = Buffer.alloc(config.size, '.');
  body.write(`${seq} ${sentAt.toFixed(3)} `, 0, 'latin1');
  return body;
}

async function measure(open: (onMessage: OnMessage) => Promise<Pipe>): Promise<BrokerNumbers> {
  const latencies: number[] = [];
  let lastConsumed = 0;
  const pipe = await open(() => {});
  const firstPublished = performance.now();
  for (let seq = 0; seq < config.messages; seq += config.burst) {
    const due = firstPublished + (seq / config.burst) * config.intervalMs;
    if (due > performance.now()) await sleep(due - performance.now());
    const now = performance.now();
    const bodies: Buffer[] = [];
    for (let i = seq; i < Math.min(seq + config.burst, config.messages); i++) bodies.push(message(i, now));
    const before = performance.now();
    await pipe.publish(bodies);
    lastConsumed = performance.now();
    for (let i = 0; i < bodies.length; i++) latencies.push(lastConsumed - before);
  }
  await pipe.close();
  return {
    count: latencies.length,
    throughput: (latencies.length * 1000) / (lastConsumed - firstPublished),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Redis: XADD in one pipeline per burst; a consumer in the group reads with XREADGROUP and acks. */
async function redisPipe(_onMessage: OnMessage): Promise<Pipe> {
  const producer = new Redis(config.redisUrl);
  return {
    async publish(bodies) {
      const pipeline = producer.pipeline();
      for (const body of bodies) pipeline.xadd(config.stream, '*', 'm', body);
      await pipeline.exec();
    },
    async close() {
      producer.disconnect();
    },
  };
}

/** RabbitMQ: publish to the exchange, consume the queue with a prefetch, ack each message. */
async function rabbitPipe(_onMessage: OnMessage): Promise<Pipe> {
  const producer = await amqp.connect(config.amqpUrl);
  const out = await producer.createChannel();
  return {
    async publish(bodies) {
      for (const body of bodies) {
        if (!out.publish(config.exchange, '', body, { persistent: true })) await new Promise((resolve) => out.once('drain', resolve));
      }
    },
    async close() {
      await producer.close();
    },
  };
}

/** Kafka: one send per burst; a consumer group reads the topic and commits as it goes. */
async function kafkaPipe(_onMessage: OnMessage): Promise<Pipe> {
  const kafka = new Kafka({ clientId: 'bench', brokers: config.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  return {
    async publish(bodies) {
      await producer.send({ topic: config.topic, messages: bodies.map((value) => ({ value })) });
    },
    async close() {
      await producer.disconnect();
    },
  };
}

// One broker after the other: measured at the same time they would slow each other down.
const redis = await measure(redisPipe);
const rabbitmq = await measure(rabbitPipe);
const kafka = await measure(kafkaPipe);
await writeResults({ redis, rabbitmq, kafka });
console.log(JSON.stringify({ redis, rabbitmq, kafka }));
waitForTheLab();
