/**
 * kill-learner: SIGKILL the learner's process while it is in the middle of processing a
 * message, namely while its `atCall`-th downstream call (counted over the whole run) is in
 * flight. Striking mid-call, rather than at a random moment, makes the outcome
 * deterministic: the message being processed is certainly unfinished, so a solution that
 * acked or committed it too early certainly loses it.
 * With `restart`, the same instance is started again after `restartDelayMs` (the heal).
 */
import { num } from '../checks/types.js';
import type { FaultDefinition } from './types.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface KillLearnerParams {
  atCall: number;
  restart: boolean;
  restartDelayMs: number;
}


export const killLearner: FaultDefinition<KillLearnerParams> = {
  name: 'kill-learner',
  parseParams(raw) {
    if (raw.restart !== undefined && typeof raw.restart !== 'boolean') throw new Error('"restart" must be true or false');
    return { atCall: num(raw, 'atCall'), restart: raw.restart === true, restartDelayMs: num(raw, 'restartDelayMs', 500) };
  },
  arm(ctx, params) {
    let fired = false;
    ctx.onDownstreamCall(async ({ index, key, instance }) => {
      if (fired || index < params.atCall) return 'continue';
      fired = true;
      const victim = ctx.learners.get(instance);
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', key, value: { fault: 'kill-learner', phase: 'start', instance: victim.instance, signal: 'SIGKILL', duringCall: index } });
      await victim.kill();
      if (params.restart) {
        ctx.track(
          (async () => {
            await sleep(params.restartDelayMs);
            victim.start();
            ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', phase: 'heal', instance: victim.instance, restarted: true } });
          })(),
        );
      }
      return 'killed';
    });
  },
};
