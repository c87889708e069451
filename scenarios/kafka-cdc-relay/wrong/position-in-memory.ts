/**
 * Wrong: the position is a variable. While the relay runs it works; after the lab kills and
 * restarts it, the relay starts from 0 and publishes every change again.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type CustomerRow, changeOf, config, sleep } from '../../../labs/kafka-cdc-relay/customers.js';

const BATCH = 100;

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

const kafka = new Kafka({ clientId: 'customers-relay', ...config.kafkaClient, logLevel: logLevel.ERROR });
// Idempotent: a retried produce request cannot write a record twice or out of order.
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

let position = 0;
console.log(`starting after change ${position}`);

for (;;) {
  let full = false;
  try {
    const { rows } = await pool.query<CustomerRow>('SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > $1 ORDER BY change_id LIMIT $2', [position, BATCH]);
    const last = rows[rows.length - 1];
    if (last) {
      // One request for the batch; it resolves once every record is acknowledged.
      await producer.send({ topic: config.changesTopic, acks: -1, messages: rows.map((row) => ({ key: row.customer_id, value: JSON.stringify(changeOf(row)) })) });
      position = Number(last.change_id);
      full = rows.length === BATCH;
    }
  } catch (error) {
    console.error(`poll failed, retrying: ${(error as Error).message}`);
  }
  if (!full) await sleep(100);
}
