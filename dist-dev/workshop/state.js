/**
 * workshop.json, in the provision output folder: which brokers the workshop uses (addresses
 * only), and per learner what was created on each. `teardown --state` removes exactly that.
 * It never holds a password: the admin's come from the environment, each learner's is in
 * their own `<slug>.env` next to it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
export const STATE_FILE = 'workshop.json';
export const WORKSHOP_BROKERS = ['redis', 'rabbitmq', 'kafka'];
export function statePath(dir) {
    return path.join(dir, STATE_FILE);
}
/** The state in `dir`, or undefined when there is none yet. */
export function readState(dir) {
    const file = statePath(dir);
    if (!existsSync(file))
        return undefined;
    let state;
    try {
        state = JSON.parse(readFileSync(file, 'utf8'));
    }
    catch (error) {
        throw new UsageError(`${file} is not valid JSON (${error.message})`);
    }
    if (state.formatVersion !== 1 || !Array.isArray(state.learners))
        throw new UsageError(`${file} is not a brokerlab workshop state file`);
    return state;
}
/** Owner-only: next to the learners' env files, which hold passwords. */
export function writeState(dir, state) {
    writeFileSync(statePath(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
/** `previous` with `update`'s learners added or replaced (by slug), and their brokers' connections. */
export function mergeState(previous, update) {
    const learners = new Map((previous?.learners ?? []).map((l) => [l.slug, l]));
    for (const learner of update.learners) {
        const before = learners.get(learner.slug);
        learners.set(learner.slug, { ...learner, created: { ...before?.created, ...learner.created } });
    }
    return { ...update, connections: { ...previous?.connections, ...update.connections }, learners: [...learners.values()] };
}
//# sourceMappingURL=state.js.map