/**
 * Starts the brokers the integration tests need (Redis, RabbitMQ, Kafka, SQS (ElasticMQ), SNS (moto), the Pub/Sub emulator, PostgreSQL, toxiproxy for network faults, Prometheus for the monitoring exercise, and any other a scenario lists: the 3-node Kafka and RabbitMQ clusters) with the real CLI,
 * and afterwards stops exactly the ones it started: brokers a developer already had
 * running stay up.
 */
import { execFileSync } from 'node:child_process';
import { loadCatalog } from '../src/catalog/load.js';
import { BIN, REPO } from './helpers.js';

/** What the tests use beside the exercises, and every broker an exercise's scenario lists:
 *  the dev check grades them all (the replication exercise needs the 3-node kafka-cluster, the high-availability one the
 *  3-node rabbitmq-cluster). */
const NEEDED = [...new Set(['redis', 'rabbitmq', 'kafka', 'sqs', 'sns', 'pubsub', 'postgres', 'toxiproxy', 'prometheus', ...loadCatalog().flatMap((e) => e.scenario.brokers)])];

function healthy(): Set<string> {
  const out = execFileSync(process.execPath, [BIN, 'status', ...NEEDED, '--json'], { cwd: REPO, encoding: 'utf8' });
  const rows = JSON.parse(out) as Array<{ name: string; health: string }>;
  return new Set(rows.filter((r) => r.health === 'healthy').map((r) => r.name));
}

export default function setup(): () => void {
  const before = healthy();
  execFileSync(process.execPath, [BIN, 'up', ...NEEDED], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  return () => {
    const started = NEEDED.filter((b) => !before.has(b));
    if (started.length > 0) execFileSync(process.execPath, [BIN, 'down', ...started], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  };
}
