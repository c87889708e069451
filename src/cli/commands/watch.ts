/** brokerlab watch: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function watchCommand(): Command {
  return new Command('watch').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab watch is not available yet');
  });
}
