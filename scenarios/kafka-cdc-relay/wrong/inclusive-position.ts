/**
 * Wrong: the poll includes the saved position itself (change_id >= position, "to be safe
 * not to miss the boundary row"): the last change is published again on every poll that
 * finds something new, and the position never stands strictly after what Kafka has.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type CustomerRow, RELAY_NAME, changeOf, config, sleep } from '../../../labs/kafka-cdc-relay/customers.js';

const BATCH = 100;

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

const kafka = new Kafka({ clientId: 'customers-relay', ...config.kafkaClient, logLevel: logLevel.ERROR });
// Idempotent: a retried produce request cannot write a record twice or out of order.
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

/** The last change Kafka acknowledged, as saved; 0 before the first save (publish everything). */
async function loadPosition(): Promise<number> {
  const { rows } = await pool.query<{ last_change_id: string }>('SELECT last_change_id FROM relay_position WHERE relay = $1', [RELAY_NAME]);
  return rows[0] ? Number(rows[0].last_change_id) : 0;
}

async function savePosition(row: CustomerRow): Promise<void> {
  await pool.query(
    `INSERT INTO relay_position (relay, last_change_id, last_updated_at, saved_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (relay) DO UPDATE SET last_change_id = EXCLUDED.last_change_id, last_updated_at = EXCLUDED.last_updated_at, saved_at = now()`,
    [RELAY_NAME, row.change_id, row.updated_at],
  );
}

let position = await loadPosition();
console.log(`starting after change ${position}`);

for (;;) {
  let full = false;
  try {
    const { rows } = await pool.query<CustomerRow>('SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id >= $1 ORDER BY change_id LIMIT $2', [position, BATCH]);
    const last = rows[rows.length - 1];
    if (last) {
      // One request for the batch; it resolves once every record is acknowledged.
      await producer.send({ topic: config.changesTopic, acks: -1, messages: rows.map((row) => ({ key: row.customer_id, value: JSON.stringify(changeOf(row)) })) });
      // Only now is the position allowed to move past these changes.
      await savePosition(last);
      position = Number(last.change_id);
      full = rows.length === BATCH;
    }
  } catch (error) {
    console.error(`poll failed, retrying: ${(error as Error).message}`);
  }
  if (!full) await sleep(100);
}
