/** brokerlab solution: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function solutionCommand(): Command {
  return new Command('solution').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab solution is not available yet');
  });
}
