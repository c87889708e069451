/**
 * The one table of exit codes. Documented in the README; CI systems key off these.
 *
 * pass         0   the exercise is solved (every check passed)
 * fail         1   not solved yet: at least one check failed (a normal outcome, not a crash)
 * usage        2   the command line is wrong (unknown exercise, missing solution file, bad flag)
 * unknown      3   the lab could not decide (e.g. a broker died during the run)
 * environment  4   the machine is not ready (broker down or not installed, port taken)
 * internal    70   a bug in brokerlab itself (EX_SOFTWARE)
 * interrupted 130  Ctrl-C / SIGTERM; the run was cleaned up first
 */
export const EXIT_CODES = {
    pass: 0,
    fail: 1,
    usage: 2,
    unknown: 3,
    environment: 4,
    internal: 70,
    interrupted: 130,
};
//# sourceMappingURL=exit-codes.js.map