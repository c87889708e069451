/**
 * Ctrl-C and SIGTERM. The first one aborts `interruptSignal`: the running command stops,
 * cleans up (kills the learner's processes, deletes the run's namespace) and exits 130.
 * A second one exits at once, for a user who really means it.
 */
import { EXIT_CODES } from './exit-codes.js';
const controller = new AbortController();
export const interruptSignal = controller.signal;
export function installInterruptHandlers() {
    const onSignal = (signal) => {
        if (controller.signal.aborted) {
            process.stderr.write(`brokerlab: second ${signal}, exiting without cleanup\n`);
            process.exit(EXIT_CODES.interrupted);
        }
        process.stderr.write(`\nbrokerlab: ${signal} received, cleaning up (press Ctrl-C again to skip)\n`);
        controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
}
//# sourceMappingURL=interrupt.js.map