/**
 * --parallel N, shared by `brokerlab grade` and `brokerlab dev check`: how many graded runs go
 * at the same time (see runner/pool.ts). Capped at 8: every run starts the learner's program
 * (often several copies) and drives real brokers, and more than that only makes the runs
 * compete for the machine and their latency checks flaky.
 */
import { wholeNumber } from './numbers.js';

export const MAX_PARALLEL = 8;

export const parseParallel = wholeNumber(1, MAX_PARALLEL);
