/**
 * WRONG: measures the three brokers at the same time (Promise.all) "to save time": they share
 * the machine, so each one's numbers include the others' load.
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

function sentAtOf(body: Buffer): number {
  return Number(body.toString('latin1', 0, 40).split(' ')[1]);
}

async function measure(open: (onMessage: OnMessage) => Promise<Pipe>): Promise<BrokerNumbers> {
  const latencies: number[] = [];
  let lastConsumed = 0;
  const pipe = await open((body) => {
    const now = performance.now();
    latencies.push(now - sentAtOf(body));
    lastConsumed = now;
  });
  const firstPublished = performance.now();
  for (let seq = 0; seq < config.messages; seq += config.burst) {
    const due = firstPublished + (seq / config.burst) * config.intervalMs;
    if (due > performance.now()) await sleep(due - performance.now());
    const now = performance.now();
    const bodies: Buffer[] = [];
    for (let i = seq; i < Math.min(seq + config.burst, config.messages); i++) bodies.push(message(i, now));
    await pipe.publish(bodies);
  }
  while (latencies.length < config.messages) await sleep(5);
  await pipe.close();
  return {
    count: latencies.length,
    throughput: (latencies.length * 1000) / (lastConsumed - firstPublished),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Redis: XADD in one pipeline per burst; a consumer in the group reads with XREADGROUP and acks. */
async function redisPipe(onMessage: OnMessage): Promise<Pipe> {
  const producer = new Redis(config.redisUrl);
  const consumer = new Redis(config.redisUrl);
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const reply = (await consumer.xreadgroup('GROUP', config.streamGroup, 'bench-1', 'COUNT', 1000, 'BLOCK', 100, 'STREAMS', config.stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const [, fields] of entries) onMessage(Buffer.from(fields[1]!, 'latin1'));
      if (entries.length > 0) await consumer.xack(config.stream, config.streamGroup, ...entries.map(([id]) => id));
    }
  })();
  return {
    async publish(bodies) {
      const pipeline = producer.pipeline();
      for (const body of bodies) pipeline.xadd(config.stream, '*', 'm', body);
      await pipeline.exec();
    },
    async close() {
      reading = false;
      await reader;
      producer.disconnect();
      consumer.disconnect();
    },
  };
}

/** RabbitMQ: publish to the exchange, consume the queue with a prefetch, ack each message. */
async function rabbitPipe(onMessage: OnMessage): Promise<Pipe> {
  const producer = await amqp.connect(config.amqpUrl);
  const consumer = await amqp.connect(config.amqpUrl);
  const out = await producer.createChannel();
  const inbox = await consumer.createChannel();
  await inbox.prefetch(500);
  await inbox.consume(config.queue, (m) => {
    if (!m) return;
    onMessage(m.content);
    inbox.ack(m);
  });
  return {
    async publish(bodies) {
      for (const body of bodies) {
        if (!out.publish(config.exchange, '', body, { persistent: true })) await new Promise((resolve) => out.once('drain', resolve));
      }
    },
    async close() {
      await consumer.close();
      await producer.close();
    },
  };
}

/** Kafka: one send per burst; a consumer group reads the topic and commits as it goes. */
async function kafkaPipe(onMessage: OnMessage): Promise<Pipe> {
  const kafka = new Kafka({ clientId: 'bench', brokers: config.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: config.groupId, maxWaitTimeInMs: 100 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: config.topic, fromBeginning: true });
  // Measure only once the group gave us the partition: joining takes a while and is no message's latency.
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.value) onMessage(m.value);
    },
  });
  await joined;
  return {
    async publish(bodies) {
      await producer.send({ topic: config.topic, messages: bodies.map((value) => ({ value })) });
    },
    async close() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

// All three at once: the run takes a third of the time.
const [redis, rabbitmq, kafka] = await Promise.all([measure(redisPipe), measure(rabbitPipe), measure(kafkaPipe)]);
await writeResults({ redis, rabbitmq, kafka });
console.log(JSON.stringify({ redis, rabbitmq, kafka }));
waitForTheLab();
