/**
 * Every error a command may throw on purpose. Commands never call process.exit: they throw,
 * and the one handler in cli/main.ts prints the message (one line, no stack) and maps the
 * error's kind to an exit code from cli/exit-codes.ts. Anything else is a bug in brokerlab.
 */
import type { ExitKind } from './cli/exit-codes.js';

export class BrokerlabError extends Error {
  /** Which row of the exit-code table this error maps to. */
  readonly kind: ExitKind;
  /** An optional second line: what to do about it. */
  readonly hint: string | undefined;
  constructor(kind: ExitKind, message: string, hint?: string) {
    super(message);
    this.kind = kind;
    this.hint = hint;
  }
}

/** The command line itself is wrong: unknown exercise, missing file, bad flag value. */
export class UsageError extends BrokerlabError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
  }
}

/** The machine is not ready: a broker is down or not installed, a port is taken. */
export class EnvironmentError extends BrokerlabError {
  constructor(message: string, hint?: string) {
    super('environment', message, hint);
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM); cleanup has already run. */
export class InterruptedError extends BrokerlabError {
  constructor(message = 'interrupted; the run was cleaned up') {
    super('interrupted', message);
  }
}

/** A command finished and wants a particular exit code without an error message. */
export class ExitError extends BrokerlabError {
  constructor(kind: ExitKind, message = '') {
    super(kind, message);
  }
}
