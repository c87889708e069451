/**
 * brokerlab's entry point: parse, run one command, and map whatever it throws to one line
 * on stderr and an exit code (see exit-codes.ts). Commands never exit themselves.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { asBrokerlabError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { benchCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { classCommand } from './commands/class.js';
import { devCommand } from './commands/dev.js';
import { doctorCommand } from './commands/doctor.js';
import { downCommand } from './commands/down.js';
import { gradeCommand } from './commands/grade.js';
import { hintCommand } from './commands/hint.js';
import { initCommand } from './commands/init.js';
import { listCommand } from './commands/list.js';
import { runMenu } from './commands/menu.js';
import { progressCommand } from './commands/progress.js';
import { reportCommand } from './commands/report.js';
import { resetCommand } from './commands/reset.js';
import { solutionCommand } from './commands/solution.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { watchCommand } from './commands/watch.js';
import { workshopCommand } from './commands/workshop.js';
import { EXIT_CODES } from './exit-codes.js';
import { installInterruptHandlers, interruptSignal } from './interrupt.js';

const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

function buildProgram(): Command {
  const program = new Command('brokerlab')
    .description('Learn message brokers by doing: graded exercises against real Kafka, RabbitMQ, Redis, SQS and PostgreSQL.')
    .version(version)
    .showSuggestionAfterError(true)
    .exitOverride();
  const commands = [
    // learning
    initCommand(),
    listCommand(),
    progressCommand(),
    checkCommand(),
    watchCommand(),
    hintCommand(),
    solutionCommand(),
    resetCommand(),
    reportCommand(),
    gradeCommand(),
    // brokers and the machine
    upCommand(),
    downCommand(),
    statusCommand(),
    doctorCommand(),
    benchCommand(),
    // mentors
    classCommand(),
    workshopCommand(),
    // exercise authors
    devCommand(),
  ];
  for (const command of commands) program.addCommand(command);
  // No command at all: the interactive menu (or, without a terminal, the list and the next step).
  program.action(() => runMenu());
  throwInsteadOfExiting(program);
  return program;
}

/**
 * Commander exits by itself (code 1) on a bad flag unless told to throw; `exitOverride` is set
 * on each command separately, not inherited by subcommands. Set here on every command of the
 * tree, once, so a usage error anywhere (`dev check --repeat -1`, `workshop provision --bogus`)
 * reaches exitCodeFor below and exits 2 like every other one.
 */
function throwInsteadOfExiting(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExiting(sub);
}

/** One line, harmless in a terminal: a message may quote the user's input (a roster's header
 *  row, a file name, a broker's reply), which may hold line breaks and control characters. */
function printable(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (or the help/version text).
    return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
  }
  const known = asBrokerlabError(error);
  if (known) {
    if (known.message) process.stderr.write(`brokerlab: ${printable(known.message)}\n`);
    if (known.hint) process.stderr.write(`  ${printable(known.hint)}\n`);
    return EXIT_CODES[known.kind];
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`brokerlab: internal error, this is a bug in brokerlab: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.BROKERLAB_DEBUG) process.stderr.write(`${detail}\n`);
  else process.stderr.write('  Set BROKERLAB_DEBUG=1 to see the stack trace, and please report it.\n');
  return EXIT_CODES.internal;
}

// A stray rejection or exception (a bug, say in a lab service's callback) ends brokerlab with
// the one line of any internal error instead of node's stack dump; the exit handlers still
// stop the learner's programs and wake paused broker nodes.
const crash = (error: unknown) => process.exit(exitCodeFor(error));
process.on('unhandledRejection', crash);
process.on('uncaughtException', crash);
installInterruptHandlers();
let code = 0;
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  code = exitCodeFor(error);
}
// A signal that came while a command without a run to stop was busy (init, list, doctor) ends
// it as interrupted too, once it is done: a SIGTERM never turns into a success.
if (interruptSignal.aborted && code !== EXIT_CODES.interrupted && code !== EXIT_CODES.internal) {
  process.stderr.write('brokerlab: interrupted\n');
  code = EXIT_CODES.interrupted;
}
// Broker clients may keep timers alive; the command is done, so leave now.
process.exit(code);
