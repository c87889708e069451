/** brokerlab reset: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function resetCommand(): Command {
  return new Command('reset').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab reset is not available yet');
  });
}
