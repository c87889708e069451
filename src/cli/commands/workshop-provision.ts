/**
 * brokerlab workshop provision --learners roster.csv [--brokers redis,rabbitmq,kafka] [--out DIR]
 *
 * The admin connection comes from the external runtime's variables (BROKERLAB_REDIS_URL,
 * BROKERLAB_AMQP_URL + BROKERLAB_RABBITMQ_MANAGEMENT_URL, BROKERLAB_KAFKA_BROKERS +
 * BROKERLAB_KAFKA_SASL_*). Prints each learner's settings and writes them to <out>/<slug>.env.
 *
 *   alice-smith (Alice Smith): workshop/alice-smith.env
 *     BROKERLAB_NAMESPACE=bl-alice-smith
 *     BROKERLAB_REDIS_URL=redis://alice-smith:...@redis.example:6379
 */
import path from 'node:path';
import { Command } from 'commander';
import { parseWorkshopBrokers } from '../../workshop/admin.js';
import { interruptSignal } from '../interrupt.js';
import { progressPrinter, stdout } from '../output.js';

interface ProvisionOptions {
  learners: string;
  brokers?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

export function workshopProvisionCommand(): Command {
  return new Command('provision')
    .description("create each learner's users, vhost, ACLs and namespace on the shared cluster, and their settings file")
    .requiredOption('--learners <roster.csv>', 'the roster: a CSV file with a learner, name or email column')
    .option('--brokers <list>', 'comma-separated: redis, rabbitmq, kafka (default: all three)')
    .option('--out <dir>', "where the learners' <name>.env files and workshop.json go", 'workshop')
    .option('--json', 'print the learners and their settings as JSON')
    .option('-q, --quiet', 'one line per learner: name and settings file')
    .action(async (options: ProvisionOptions) => {
      // The broker clients load only when a workshop is provisioned, not at every start-up.
      const { provision } = await import('../../workshop/provision.js');
      const result = await provision({
        rosterFile: options.learners,
        brokers: parseWorkshopBrokers(options.brokers),
        outDir: options.out,
        progress: progressPrinter(options),
        signal: interruptSignal,
      });
      // Relative when inside the current folder, else absolute (never "../../tmp/...").
      const shown = (file: string) => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file) || file);
      if (options.json) {
        stdout(JSON.stringify(result, null, 2));
        return;
      }
      if (options.quiet) {
        stdout(result.learners.map((l) => `${l.slug} ${shown(l.envFile)}`).join('\n'));
        return;
      }
      const blocks = result.learners.map((l) => {
        const who = [l.name, l.email].filter(Boolean).join(', ');
        const vars = Object.entries(l.env).map(([key, value]) => `  ${key}=${value}`);
        return [`${l.slug}${who ? ` (${who})` : ''}: ${shown(l.envFile)}`, ...vars].join('\n');
      });
      stdout(
        [
          ...blocks,
          '',
          `${result.learners.length} learner${result.learners.length === 1 ? '' : 's'} ready on ${result.brokers.join(', ')} in ${(result.ms / 1000).toFixed(1)}s. ` +
            `Give each their .env file; they run: set -a; . ./<name>.env; set +a`,
          `What was created is in ${shown(result.stateFile)}; remove it all with: brokerlab workshop teardown --state ${shown(result.outDir)}`,
        ].join('\n'),
      );
    });
}
