/**
 * Wrong: commits the right offset (the smallest first offset over the open windows) with the
 * stream time in its metadata, but never reads the stream time back at start-up: after the
 * restart, the sales read again of windows that had closed before the kill are not late to it,
 * so it counts them into fresh windows and writes those over the right results. (From an
 * independent probe.)
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Sale, type WindowResult, config, resultKey } from '../../../labs/kafka-stream-aggregation/sales.js';

const kafka = new Kafka({ clientId: 'sales-aggregator', ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const producer = kafka.producer();

interface OpenWindow { product: string; windowStart: number; count: number; sumCents: number; ids: Set<string>; firstOffset: bigint }
const open = new Map<string, OpenWindow>();
let streamTime = -Infinity; // not read back from the commit's metadata at start-up

// The offset to start from is the group's committed one; the stream time starts over.
await Promise.all([consumer.connect(), producer.connect()]);
await consumer.subscribe({ topic: config.salesTopic, fromBeginning: true });

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    const offset = BigInt(message.offset);
    const windowStart = sale.eventTime - (sale.eventTime % config.windowMs);
    const windowEnd = windowStart + config.windowMs;
    const closed = streamTime >= windowEnd + config.graceMs;
    if (!closed) {
      const key = resultKey(sale.product, windowStart);
      let w = open.get(key);
      if (!w) { w = { product: sale.product, windowStart, count: 0, sumCents: 0, ids: new Set(), firstOffset: offset }; open.set(key, w); }
      if (!w.ids.has(sale.saleId)) { w.ids.add(sale.saleId); w.count++; w.sumCents += sale.amountCents; }
    }
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
