/**
 * Where output goes. Reports and --json go to stdout; progress and errors go to stderr, so
 * `brokerlab check x --json > results.json` stays clean. NO_COLOR turns colour off;
 * FORCE_COLOR (read by chalk itself) turns it on.
 */
import chalk from 'chalk';
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '')
    chalk.level = 0;
export function stdout(text) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
/** A progress line ("starting Kafka ..."), silent with --quiet or --json. */
export function progressPrinter(options) {
    if (options.quiet || options.json)
        return () => { };
    return (message) => process.stderr.write(`${chalk.dim(`… ${message}`)}\n`);
}
//# sourceMappingURL=output.js.map