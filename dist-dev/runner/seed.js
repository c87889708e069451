/**
 * The run's seed, and the random streams drawn from it.
 *
 * Everything a run chooses at random (which downstream call is slow, how long each one takes)
 * comes from one 32-bit seed recorded in run.json and results.json. `--seed N` replays a
 * run's schedule exactly. A schedule is built so that every seed opens the windows the
 * scenario's mistakes need (a verdict never depends on the seed); the seed only varies
 * which messages land in them.
 *
 * Definitions:
 * - seed: an integer 0 .. 2^32-1.
 * - stream: a named sequence drawn from the seed ("downstream:ledger-api"). Streams are
 *   independent: adding a draw to one never shifts another, so a schedule stays the same
 *   when an unrelated part of the lab changes.
 */
import { randomInt } from 'node:crypto';
/** A fresh seed for a run that was not given one. */
export function newSeed() {
    return randomInt(0, 2 ** 32 - 1);
}
/** Parses `--seed`: a whole number 0 .. 2^32-1, or undefined for a fresh one. */
export function parseSeed(text) {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1)
        throw new Error('must be a whole number from 0 to 4294967295');
    return n;
}
/** FNV-1a over the stream's name: mixes it into the seed. */
function hashName(name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
        h ^= name.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
}
/** A random stream: mulberry32 seeded by the run's seed and the stream's name. */
export class Random {
    state;
    constructor(seed, stream) {
        this.state = (seed ^ hashName(stream)) >>> 0;
    }
    /** A float in [0, 1). */
    next() {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    /** A whole number in [min, max]. */
    int(min, max) {
        return min + Math.floor(this.next() * (max - min + 1));
    }
    /** True with probability p. */
    chance(p) {
        return this.next() < p;
    }
}
//# sourceMappingURL=seed.js.map