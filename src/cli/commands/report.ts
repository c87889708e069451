/** brokerlab report: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function reportCommand(): Command {
  return new Command('report').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab report is not available yet');
  });
}
