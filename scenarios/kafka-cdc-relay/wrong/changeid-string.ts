/**
 * Wrong: the relay builds the value itself from the row and passes change_id as node-postgres
 * returns a bigint: a string, so changeId is a JSON string ("42"), not a number. A consumer
 * that keeps the highest changeId applied compares "9" > "10".
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type CustomerRow, RELAY_NAME, config, sleep } from '../../../labs/kafka-cdc-relay/customers.js';

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

const kafka = new Kafka({ clientId: 'customers-relay', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();

async function readPosition(): Promise<number> {
  for (;;) {
    try {
      const { rows } = await pool.query<{ last_change_id: string }>('SELECT last_change_id FROM relay_position WHERE relay = $1', [RELAY_NAME]);
      return rows[0] ? Number(rows[0].last_change_id) : 0;
    } catch (error) {
      console.error(`reading the position failed: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}

let position = await readPosition();
console.log(`starting after change ${position}`);

for (;;) {
  try {
    const { rows } = await pool.query<CustomerRow>('SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > $1 ORDER BY change_id LIMIT 100', [position]);
    const last = rows[rows.length - 1];
    if (last) {
      // The value built by hand: change_id is the string node-postgres returns for a bigint.
      await producer.send({ topic: config.changesTopic, acks: -1, messages: rows.map((row) => ({ key: row.customer_id, value: JSON.stringify({ changeId: row.change_id, customerId: row.customer_id, name: row.name, email: row.email, tier: row.tier, updatedAt: row.updated_at }) })) });
      await pool.query(
        'INSERT INTO relay_position (relay, last_change_id, last_updated_at, saved_at) VALUES ($1, $2, $3, now()) ON CONFLICT (relay) DO UPDATE SET last_change_id = EXCLUDED.last_change_id, last_updated_at = EXCLUDED.last_updated_at, saved_at = now()',
        [RELAY_NAME, last.change_id, last.updated_at],
      );
      position = Number(last.change_id);
      console.log(`published ${rows.length}, position ${position}`);
      if (rows.length === 100) continue;
    }
  } catch (error) {
    console.error(`poll failed: ${(error as Error).message}`);
  }
  await sleep(150);
}
