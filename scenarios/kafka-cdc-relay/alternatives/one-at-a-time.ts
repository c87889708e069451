/**
 * Alternative: one change at a time. Each row is sent on its own and awaited, and the
 * position moves (in the table, in the same statement shape as the reference) after every
 * change, not after a batch: slower, but a kill repeats at most one change. The position is
 * read back with COALESCE, so no row means 0.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type CustomerRow, RELAY_NAME, changeOf, config, sleep } from '../../../labs/kafka-cdc-relay/customers.js';

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

const kafka = new Kafka({ clientId: 'customers-relay-single', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

const { rows: saved } = await pool.query<{ position: string }>('SELECT COALESCE(MAX(last_change_id), 0) AS position FROM relay_position WHERE relay = $1', [RELAY_NAME]);
let position = BigInt(saved[0]?.position ?? '0');
console.log(`resuming after change ${position}`);

for (;;) {
  try {
    const { rows } = await pool.query<CustomerRow>('SELECT * FROM customers WHERE change_id > $1 ORDER BY change_id ASC LIMIT 20', [position.toString()]);
    for (const row of rows) {
      await producer.send({ topic: config.changesTopic, acks: -1, messages: [{ key: row.customer_id, value: JSON.stringify(changeOf(row)) }] });
      await pool.query(
        `INSERT INTO relay_position (relay, last_change_id) VALUES ($1, $2)
         ON CONFLICT (relay) DO UPDATE SET last_change_id = EXCLUDED.last_change_id, saved_at = now()`,
        [RELAY_NAME, row.change_id],
      );
      position = BigInt(row.change_id);
    }
    if (rows.length === 20) continue;
  } catch (error) {
    console.error(`relay error, retrying: ${String(error)}`);
  }
  await sleep(150);
}
