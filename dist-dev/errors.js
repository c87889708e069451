export class BrokerlabError extends Error {
    /** Which row of the exit-code table this error maps to. */
    kind;
    /** An optional second line: what to do about it. */
    hint;
    constructor(kind, message, hint) {
        super(message);
        this.kind = kind;
        this.hint = hint;
    }
}
/** The command line itself is wrong: unknown exercise, missing file, bad flag value. */
export class UsageError extends BrokerlabError {
    constructor(message, hint) {
        super('usage', message, hint);
    }
}
/** The machine is not ready: a broker is down or not installed, a port is taken. */
export class EnvironmentError extends BrokerlabError {
    constructor(message, hint) {
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
    constructor(kind, message = '') {
        super(kind, message);
    }
}
//# sourceMappingURL=errors.js.map