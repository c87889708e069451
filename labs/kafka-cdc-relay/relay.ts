/**
 * Weeks 4-5: a change-data relay from PostgreSQL to Kafka. Read README.md first.
 *
 * As it stands the relay polls the customers table but publishes nothing and saves no
 * position: no change ever reaches CHANGES_TOPIC. Make it publish every change after its
 * position to CHANGES_TOPIC (key: the customer id), wait for Kafka's acknowledgement, and only
 * then save the position in relay_position; at start-up, read the position back.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type CustomerRow, config, sleep } from './customers.js';

// A pool opens a new connection when one broke.
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

const kafka = new Kafka({ clientId: 'customers-relay', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();

// TODO: start from the position saved in relay_position (0 when there is none).
const position = 0;

for (;;) {
  const { rows } = await pool.query<CustomerRow>('SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > $1 ORDER BY change_id LIMIT 100', [position]);
  // TODO: publish each row to config.changesTopic (key: customer_id, value: JSON.stringify(changeOf(row))),
  // wait for Kafka's acknowledgement, then save the last change_id in relay_position.
  if (rows.length > 0) console.log(`${rows.length} changes after ${position}, not published yet`);
  await sleep(200);
}
