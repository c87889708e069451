/**
 * Wrong: live dashboard updates: after every sale it writes the current state of that sale's
 * window. For a late sale (its window closed and forgotten) the "current state" is a fresh
 * empty window, so it overwrites the final result with count 0. (From an independent probe.)
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Sale, type WindowResult, config, resultKey } from '../../../labs/kafka-stream-aggregation/sales.js';

const kafka = new Kafka({ clientId: 'sales-aggregator', ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const producer = kafka.producer();
const admin = kafka.admin();

interface OpenWindow { product: string; windowStart: number; count: number; sumCents: number; ids: Set<string>; firstOffset: bigint }
const open = new Map<string, OpenWindow>();
let streamTime = -Infinity;

await Promise.all([consumer.connect(), producer.connect(), admin.connect()]);
const committed = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.salesTopic] });
for (const t of committed) for (const p of t.partitions) {
  if (p.metadata) {
    try { const m = JSON.parse(p.metadata); if (typeof m.streamTime === 'number') streamTime = m.streamTime; } catch { /* ignore */ }
  }
}
await admin.disconnect();
await consumer.subscribe({ topic: config.salesTopic, fromBeginning: true });

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    const offset = BigInt(message.offset);
    const windowStart = sale.eventTime - (sale.eventTime % config.windowMs);
    const windowEnd = windowStart + config.windowMs;
    const closed = streamTime >= windowEnd + config.graceMs;
    const key = resultKey(sale.product, windowStart);
    const w = open.get(key) ?? { product: sale.product, windowStart, count: 0, sumCents: 0, ids: new Set<string>(), firstOffset: offset };
    if (!closed) {
      open.set(key, w);
      if (!w.ids.has(sale.saleId)) { w.ids.add(sale.saleId); w.count++; w.sumCents += sale.amountCents; }
    }
    const live: WindowResult = { product: w.product, windowStart: w.windowStart, windowEnd: w.windowStart + config.windowMs, count: w.count, sumCents: w.sumCents };
    await producer.send({ topic: config.windowsTopic, messages: [{ key, value: JSON.stringify(live) }] });
    streamTime = Math.max(streamTime, sale.eventTime);
    const out: { key: string; value: string }[] = [];
    for (const [key, w] of open) {
      if (streamTime >= w.windowStart + config.windowMs + config.graceMs) {
        const r: WindowResult = { product: w.product, windowStart: w.windowStart, windowEnd: w.windowStart + config.windowMs, count: w.count, sumCents: w.sumCents };
        out.push({ key, value: JSON.stringify(r) });
        open.delete(key);
      }
    }
    if (out.length) await producer.send({ topic: config.windowsTopic, messages: out });
    let commitAt = offset + 1n;
    for (const w of open.values()) if (w.firstOffset < commitAt) commitAt = w.firstOffset;
    await consumer.commitOffsets([{ topic, partition, offset: commitAt.toString(), metadata: JSON.stringify({ streamTime }) } as any]);
  },
});

process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
