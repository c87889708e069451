/** brokerlab doctor: placeholder, being written. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function doctorCommand(): Command {
  return new Command('doctor').description('(not yet available)').action(() => {
    throw new UsageError('brokerlab doctor is not available yet');
  });
}
