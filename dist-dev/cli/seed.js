/** --seed N, shared by check, grade and dev check: replays a run's schedule (runner/seed.ts). */
import { InvalidArgumentError } from 'commander';
import { parseSeed } from '../runner/seed.js';
export const SEED_HELP = 'replay a run\'s schedule: the seed its report and results.json show (default: a new one each run)';
export function parseSeedOption(value) {
    try {
        return parseSeed(value);
    }
    catch (error) {
        throw new InvalidArgumentError(error.message);
    }
}
//# sourceMappingURL=seed.js.map