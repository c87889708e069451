/** brokerlab hint: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function hintCommand(): Command {
  return new Command('hint').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab hint is not available yet');
  });
}
