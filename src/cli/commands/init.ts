/** brokerlab init: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function initCommand(): Command {
  return new Command('init').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab init is not available yet');
  });
}
