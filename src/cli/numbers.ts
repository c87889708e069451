/**
 * The one parser of whole-number options (--parallel, --repeat, bench's --messages): digits
 * only, within bounds. "-1", "0", "1.5", "1e3", "two" and "" are all refused the same way,
 * with commander's one line and exit 2 (see cli/main.ts).
 */
import { InvalidArgumentError } from 'commander';

/** A commander option parser for a whole number from `min` to `max` (no upper bound when unset). */
export function wholeNumber(min: number, max?: number): (value: string) => number {
  const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
  return (value: string) => {
    const n = Number(value.trim());
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new InvalidArgumentError(`must be a whole number ${range}`);
    }
    return n;
  };
}
