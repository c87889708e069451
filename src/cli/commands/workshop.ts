/**
 * brokerlab workshop provision|teardown: shared-cluster mode for mentors. Many learners grade
 * against one real cluster through the external runtime, each confined to a namespace of
 * their own (see src/workshop/).
 */
import { Command } from 'commander';
import { workshopProvisionCommand } from './workshop-provision.js';
import { workshopTeardownCommand } from './workshop-teardown.js';

export function workshopCommand(): Command {
  return new Command('workshop')
    .description('for mentors: give each learner a confined user and namespace on a shared cluster, and remove them again')
    .addCommand(workshopProvisionCommand())
    .addCommand(workshopTeardownCommand());
}
