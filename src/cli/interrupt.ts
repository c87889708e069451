/**
 * Ctrl-C and SIGTERM. The first one aborts `interruptSignal`: the running command stops,
 * cleans up (kills the learner's processes, deletes the run's namespace) and exits 130.
 * A second one exits at once, for a user who really means it.
 *
 * Cleanup is bounded: a command still running CLEANUP_BOUND_MS after the first signal exits
 * 130 anyway, so a SIGTERM from CI or a supervisor always ends brokerlab (names a cleanup
 * could not delete are swept by the next `brokerlab up`).
 */
import { EXIT_CODES } from './exit-codes.js';

const controller = new AbortController();
export const interruptSignal: AbortSignal = controller.signal;

/** Longer than any run's cleanup (stop the program, delete a Kafka namespace), short enough for a CI job's grace period. */
export const CLEANUP_BOUND_MS = 30_000;

export function installInterruptHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`brokerlab: second ${signal}, exiting without cleanup\n`);
      process.exit(EXIT_CODES.interrupted);
    }
    process.stderr.write(`\nbrokerlab: ${signal} received, cleaning up (press Ctrl-C again to skip)\n`);
    controller.abort();
    // unref: a command that finishes its cleanup in time exits as usual, without waiting for this.
    setTimeout(() => {
      process.stderr.write(`brokerlab: cleanup did not finish within ${CLEANUP_BOUND_MS / 1000}s; exiting (\`brokerlab up\` removes what a run left in the brokers)\n`);
      process.exit(EXIT_CODES.interrupted);
    }, CLEANUP_BOUND_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
