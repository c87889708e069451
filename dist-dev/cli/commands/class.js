/**
 * brokerlab class <subcommand>: tools for mentors who follow a whole class of learners.
 * `class report` (class-report.ts) merges the learners' results into one dashboard.
 */
import { Command } from 'commander';
import { classReportCommand } from './class-report.js';
export function classCommand() {
    // main.ts makes only the top-level commands throw instead of exiting; a subcommand needs
    // its own exitOverride, or a usage error would exit 1 from inside commander, not 2.
    return new Command('class').description("for mentors: the whole class's results at once").addCommand(classReportCommand().exitOverride());
}
//# sourceMappingURL=class.js.map