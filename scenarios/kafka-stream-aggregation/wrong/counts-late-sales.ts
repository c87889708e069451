/**
 * Wrong: a live dashboard that writes a window's updated result after every sale and keeps
 * every window open forever: a sale that comes after its window's grace period is counted
 * too, and changes a result that was already final. (Its offsets: the first sale of the
 * oldest window it keeps, the first sale ever, so a restart reads everything again.)
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

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    const offset = BigInt(message.offset);
    const windowStart = sale.eventTime - (sale.eventTime % config.windowMs);
    const key = resultKey(sale.product, windowStart);
    const w = windows.get(key) ?? { product: sale.product, windowStart, count: 0, sumCents: 0, saleIds: new Set<string>(), firstOffset: offset };
    if (!w.saleIds.has(sale.saleId)) {
      w.saleIds.add(sale.saleId);
      w.count += 1;
      w.sumCents += sale.amountCents;
      windows.set(key, w);
      // Every window stays open: its result is written again with every sale.
      const result: WindowResult = { product: w.product, windowStart: w.windowStart, windowEnd: w.windowStart + config.windowMs, count: w.count, sumCents: w.sumCents };
      await producer.send({ topic: config.windowsTopic, acks: -1, messages: [{ key, value: JSON.stringify(result) }] });
    }
    streamTime = Math.max(streamTime, sale.eventTime);

    const oldest = [...windows.values()].reduce((min, w) => (w.firstOffset < min ? w.firstOffset : min), offset + 1n);
    await consumer.commitOffsets([{ topic, partition, offset: String(oldest), metadata: JSON.stringify({ streamTime }) }]);
  },
});

process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
