/**
 * When a fault strikes, independent of the workload: a fault names a trigger in scenario.json
 * ("at"), and waits for it over the run's history.
 *
 * Definitions:
 * - { "call": N }: at the N-th downstream call of the run (1-based), the call in flight (a
 *   fault that acts on a call, like kill-learner, also takes "tag", "attempt", "victimIf").
 * - { "produced": N, "stream"?: s }: once the lab has produced N messages (of that stream).
 * - { "afterMs": N }: N ms after the workload started sending (its "workload" phase).
 * - { "phase": "name" }: when the workload enters that phase (ctx.phase("phase-2")).
 */
import { num, optionalStr, str } from '../checks/types.js';
export function parseTrigger(raw, field = 'at') {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new Error(`"${field}" must be a trigger: {"call": N}, {"produced": N}, {"afterMs": N} or {"phase": "name"}`);
    }
    const r = raw;
    if (r.call !== undefined) {
        return {
            call: num(r, 'call'),
            ...(r.tag === undefined ? {} : { tag: str(r, 'tag') }),
            ...(r.attempt === undefined ? {} : { attempt: num(r, 'attempt') }),
            ...(r.victimIf === undefined ? {} : { victimIf: str(r, 'victimIf') }),
        };
    }
    if (r.produced !== undefined) {
        const stream = optionalStr(r, 'stream');
        return { produced: num(r, 'produced'), ...(stream === undefined ? {} : { stream }) };
    }
    if (r.afterMs !== undefined)
        return { afterMs: num(r, 'afterMs') };
    if (r.phase !== undefined)
        return { phase: str(r, 'phase') };
    throw new Error(`"${field}" must be a trigger: {"call": N}, {"produced": N}, {"afterMs": N} or {"phase": "name"}`);
}
/** The time (ms since the run started) at which a non-call trigger fired in this history, or
 *  undefined if it has not (pure). `now` is the current run time, for afterMs. */
export function firedAt(trigger, history, now) {
    if ('produced' in trigger) {
        let n = 0;
        for (const op of history) {
            if (op.kind === 'produce' && op.outcome === 'ok' && (trigger.stream === undefined || op.stream === trigger.stream) && ++n >= trigger.produced)
                return op.t;
        }
        return undefined;
    }
    if ('phase' in trigger)
        return history.find((op) => op.kind === 'phase' && op.key === trigger.phase)?.t;
    const started = history.find((op) => op.kind === 'phase' && op.key === 'workload')?.t;
    if (started === undefined)
        return undefined;
    return now >= started + trigger.afterMs ? started + trigger.afterMs : undefined;
}
/** Resolves when the trigger fires (or never, if the run ends first: `signal` aborts). */
export function whenTriggered(trigger, history, signal) {
    return new Promise((resolve) => {
        let timer;
        const done = (fired) => {
            unsubscribe();
            if (timer)
                clearInterval(timer);
            signal.removeEventListener('abort', onAbort);
            resolve(fired);
        };
        const check = () => {
            if (firedAt(trigger, history.history, history.now()) !== undefined)
                done(true);
        };
        const onAbort = () => done(false);
        const unsubscribe = history.subscribe((op) => {
            if (op.kind === 'produce' || op.kind === 'phase')
                check();
        });
        signal.addEventListener('abort', onAbort, { once: true });
        // afterMs fires on the clock, not on an operation.
        if ('afterMs' in trigger)
            timer = setInterval(check, 20);
        check();
    });
}
//# sourceMappingURL=triggers.js.map