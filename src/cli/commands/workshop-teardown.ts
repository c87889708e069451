/**
 * brokerlab workshop teardown [--learners roster.csv | --state DIR] [--brokers list]
 *
 * Removes the learners' users, vhosts, ACLs, SCRAM users, and every topic, group, queue and
 * key under their namespaces, with the same admin variables as provision.
 */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseWorkshopBrokers } from '../../workshop/admin.js';
import { interruptSignal } from '../interrupt.js';
import { progressPrinter, stdout } from '../output.js';

interface TeardownOptions {
  learners?: string;
  state?: string;
  brokers?: string;
  json?: boolean;
  quiet?: boolean;
}

export function workshopTeardownCommand(): Command {
  return new Command('teardown')
    .description("remove the learners' users and everything under their namespaces from the shared cluster")
    .option('--learners <roster.csv>', 'the learners of this roster')
    .option('--state <dir>', "the learners recorded in <dir>/workshop.json by provision (their .env files go too)")
    .option('--brokers <list>', 'comma-separated: redis, rabbitmq, kafka (default: all three, or those in the state)')
    .option('--json', 'print what was removed as JSON')
    .option('-q, --quiet', 'only the summary line')
    .action(async (options: TeardownOptions) => {
      if ((options.learners === undefined) === (options.state === undefined)) {
        throw new UsageError('workshop teardown needs either --learners roster.csv or --state DIR (one of them)');
      }
      const brokers = options.brokers === undefined ? undefined : parseWorkshopBrokers(options.brokers);
      const common = { ...(brokers ? { brokers } : {}), progress: progressPrinter(options), signal: interruptSignal };
      // The broker clients load only when a workshop is torn down, not at every start-up.
      const { teardown } = await import('../../workshop/teardown.js');
      const result = await teardown(options.state !== undefined ? { stateDir: options.state, ...common } : { rosterFile: options.learners ?? '', ...common });
      if (options.json) {
        stdout(JSON.stringify(result, null, 2));
        return;
      }
      const learners = `${result.learners.length} learner${result.learners.length === 1 ? '' : 's'}`;
      const summary =
        result.removed.length === 0
          ? `Nothing of ${learners} was left on ${result.brokers.join(', ')}.`
          : `Removed ${learners} from ${result.brokers.join(', ')} in ${(result.ms / 1000).toFixed(1)}s.`;
      stdout(options.quiet ? summary : [...result.removed.map((r) => `  ${r}`), summary].join('\n'));
    });
}
