/**
 * Weeks 4-5: sales per product per 10-second window of event time, for a real-time dashboard.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-stream-aggregation
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Sale, config, resultKey } from './sales.js';

const kafka = new Kafka({ clientId: 'sales-aggregator', ...config.kafkaClient, logLevel: logLevel.ERROR });
// config.groupTimings: a restarted copy gets the partition back in seconds (see sales.ts).
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const producer = kafka.producer();

await Promise.all([consumer.connect(), producer.connect()]);
await consumer.subscribe({ topic: config.salesTopic, fromBeginning: true });

await consumer.run({
  eachMessage: async ({ message }) => {
    const sale = JSON.parse(message.value?.toString() ?? '{}') as Sale;
    // TODO: count the sale in its product's window of event time (sale.eventTime), and once
    //       stream time passes a window's end + grace, write its result to config.windowsTopic:
    //       key resultKey(product, windowStart), value JSON of a WindowResult (sales.ts).
    //       Copies of a sale (same saleId) count once; sales of a closed window are dropped;
    //       a restart must neither lose nor double what open windows had counted.
    console.log('sale', sale.saleId, sale.product, new Date(sale.eventTime).toISOString());
    void resultKey;
  },
});

// Leave the group cleanly when the lab stops the program.
process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
