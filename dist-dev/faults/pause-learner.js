/**
 * pause-learner: SIGSTOP a copy of the learner's program for `durationMs`, then SIGCONT it.
 * The program stands still holding whatever it holds: its connections stay open, but it
 * sends no heartbeat and acknowledges nothing, so a consumer group's session or an SQS
 * visibility timeout runs out while it still has the work. What it does when it wakes up
 * (finish work that was meanwhile handed to someone else, commit offsets it no longer owns)
 * is the lesson.
 *
 * Definitions:
 * - at: a trigger (faults/triggers.ts). With { "call": N } the copy that made that call is
 *   paused while the call is in flight, and the call is answered only after it resumes;
 *   otherwise copy `instance` (default 1) is paused when the trigger fires.
 * - The pause always ends: at `durationMs`, and at the latest when the run stops the
 *   program (LearnerProcess.stop sends SIGCONT before SIGTERM).
 */
import { num } from '../checks/types.js';
import { isVictim } from './kill-learner.js';
import { parseTrigger, whenTriggered } from './triggers.js';
import { setTimeout as sleep } from 'node:timers/promises';
export const pauseLearner = {
    name: 'pause-learner',
    parseParams: (raw) => ({ at: parseTrigger(raw.at), instance: num(raw, 'instance', 1), durationMs: num(raw, 'durationMs') }),
    arm(ctx, params, id) {
        const record = (key, value) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', ...(key ? { key } : {}), value: { fault: 'pause-learner', id, ...value } });
        async function pause(instance, key, duringCall) {
            const victim = ctx.learners.get(instance);
            record(key, { phase: 'start', instance: victim.instance, signal: 'SIGSTOP', durationMs: params.durationMs, ...(duringCall ? { duringCall } : {}) });
            victim.pause();
            await Promise.race([sleep(params.durationMs), new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
            victim.resume();
            record(undefined, { phase: 'heal', instance: victim.instance, signal: 'SIGCONT' });
        }
        const at = params.at;
        if ('call' in at) {
            let fired = false;
            ctx.onDownstreamCall(async (call) => {
                if (fired || !isVictim(call, { atCall: at.call, ...(at.tag ? { tag: at.tag } : {}), ...(at.attempt ? { attempt: at.attempt } : {}) }, ctx.history.history))
                    return 'continue';
                fired = true;
                await pause(call.instance, call.key, call.index);
                return 'continue';
            });
            return;
        }
        // Tracked once it strikes: a run waits for a pause to end, never for a trigger that
        // may not come.
        void whenTriggered(at, ctx.history, ctx.signal).then((fired) => {
            if (fired)
                ctx.track(pause(params.instance));
        });
    },
};
//# sourceMappingURL=pause-learner.js.map