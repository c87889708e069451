/**
 * no-duplicates
 *
 * Definitions:
 * - delivery: an operation matching `delivered` with outcome "ok".
 * - duplicate: a key with more than one delivery. Use this check only where the contract
 *   promises exactly one delivery per message (Pub/Sub fan-in, idempotent consumers); an
 *   at-least-once consumer may legitimately deliver twice after a crash.
 */
import { countOf, firstFew, select, selector, str, } from './types.js';
export const noDuplicates = {
    name: 'no-duplicates',
    parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered') }),
    run(history, p) {
        const counts = new Map();
        for (const op of select(history, p.delivered, 'ok')) {
            const key = op.key ?? '(no key)';
            counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const duplicated = [...counts].filter(([, n]) => n > 1);
        const title = `Each ${p.subject} arrives once`;
        const expected = `each ${p.subject} is delivered exactly once`;
        if (duplicated.length === 0) {
            return { title, status: 'pass', expected, observed: `${counts.size} distinct, no duplicates`, examples: [] };
        }
        return {
            title,
            status: 'fail',
            expected,
            observed: `${countOf(duplicated.length, counts.size, p.subject)} arrived more than once`,
            examples: firstFew(duplicated).map(([key, n]) => `${key} arrived ${n} times`),
        };
    },
};
//# sourceMappingURL=duplicates.js.map