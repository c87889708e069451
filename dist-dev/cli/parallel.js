/**
 * --parallel N, shared by `brokerlab grade` and `brokerlab dev check`: how many graded runs go
 * at the same time (see runner/pool.ts). Capped at 8: every run starts the learner's program
 * (often several copies) and drives real brokers, and more than that only makes the runs
 * compete for the machine and their latency checks flaky.
 */
import { InvalidArgumentError } from 'commander';
export const MAX_PARALLEL = 8;
export function parseParallel(value) {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_PARALLEL) {
        throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_PARALLEL}`);
    }
    return n;
}
//# sourceMappingURL=parallel.js.map