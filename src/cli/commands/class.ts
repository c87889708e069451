/**
 * brokerlab class <subcommand>: tools for mentors who follow a whole class of learners.
 * `class report` (class-report.ts) merges the learners' results into one dashboard.
 */
import { Command } from 'commander';
import { classReportCommand } from './class-report.js';

export function classCommand(): Command {
  return new Command('class').description("for mentors: the whole class's results at once").addCommand(classReportCommand());
}
