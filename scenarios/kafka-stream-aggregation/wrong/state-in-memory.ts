/**
 * Wrong: keeps the open windows only in memory and lets kafkajs commit as it reads (its
 * default autoCommit, after each batch): when the program is killed, the open window's sales
 * are committed but their counts are gone, and the restarted copy does not read them again.
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

await Promise.all([consumer.connect(), producer.connect()]);
await consumer.subscribe({ topic: config.salesTopic, fromBeginning: true });

const closes = (w: { windowStart: number }) => w.windowStart + config.windowMs + config.graceMs;

await consumer.run({
  eachMessage: async ({ message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    const offset = BigInt(message.offset);
    const windowStart = sale.eventTime - (sale.eventTime % config.windowMs);
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
  },
});

process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
