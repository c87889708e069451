/** brokerlab progress: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function progressCommand(): Command {
  return new Command('progress').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab progress is not available yet');
  });
}
