/**
 * Wrong: "the window a sale belongs to ends at or after it": a sale at exactly 10:00:10.000 goes
 * to the 10:00:00 window, whose end is inclusive (windows (start, end] instead of [start, end)).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Sale, type WindowResult, config, resultKey } from '../../../labs/kafka-stream-aggregation/sales.js';

interface OpenWindow {
  product: string;
  windowStart: number;
  count: number;
  sumCents: number;
  saleIds: Set<string>;
  /** The offset of its first sale: where a restart must read again from. */
  firstOffset: bigint;
}

const kafka = new Kafka({ clientId: 'sales-aggregator', ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const producer = kafka.producer();

const windows = new Map<string, OpenWindow>();
let streamTime = Number.NEGATIVE_INFINITY;

// The stream time of the last run, kept in the committed offset's metadata.
const admin = kafka.admin();
await admin.connect();
const [committed] = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.salesTopic] });
const metadata = committed?.partitions.find((p) => p.partition === 0)?.metadata;
if (metadata) streamTime = (JSON.parse(metadata) as { streamTime: number }).streamTime;
await admin.disconnect();

await Promise.all([consumer.connect(), producer.connect()]);
await consumer.subscribe({ topic: config.salesTopic, fromBeginning: true });

const closes = (w: { windowStart: number }) => w.windowStart + config.windowMs + config.graceMs;

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    const offset = BigInt(message.offset);
    // The window that ends at or after the sale.
    const windowStart = Math.ceil(sale.eventTime / config.windowMs) * config.windowMs - config.windowMs;
    if (streamTime < closes({ windowStart })) {
      const key = resultKey(sale.product, windowStart);
      const w = windows.get(key) ?? { product: sale.product, windowStart, count: 0, sumCents: 0, saleIds: new Set<string>(), firstOffset: offset };
      if (!w.saleIds.has(sale.saleId)) {
        w.saleIds.add(sale.saleId);
        w.count += 1;
        w.sumCents += sale.amountCents;
      }
      windows.set(key, w);
    } // else: late, its window was already written: dropped.
    streamTime = Math.max(streamTime, sale.eventTime);

    const closed = [...windows.entries()].filter(([, w]) => streamTime >= closes(w));
    if (closed.length > 0) {
      const results = closed.map(([key, w]): { key: string; value: string } => {
        const result: WindowResult = { product: w.product, windowStart: w.windowStart, windowEnd: w.windowStart + config.windowMs, count: w.count, sumCents: w.sumCents };
        return { key, value: JSON.stringify(result) };
      });
      await producer.send({ topic: config.windowsTopic, acks: -1, messages: results });
      for (const [key] of closed) windows.delete(key);
    }
    const oldest = [...windows.values()].reduce((min, w) => (w.firstOffset < min ? w.firstOffset : min), offset + 1n);
    await consumer.commitOffsets([{ topic, partition, offset: String(oldest), metadata: JSON.stringify({ streamTime }) }]);
  },
});

process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
