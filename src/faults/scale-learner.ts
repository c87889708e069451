/**
 * scale-learner: change how many copies of the learner's program run, mid-run, one copy at a
 * time, as an operator scales a consumer out (or in). The scenario's `learner.instances` is
 * the most copies the run ever has (every copy's INSTANCE_ID, logs and cleanup exist from the
 * start); `from` says how many the run starts with, the others wait for this fault.
 *
 * Definitions:
 * - from: copies started with the run (default: all of them; the lowest of all scale-learner
 *   faults' `from` wins).
 * - to: copies running once the fault is over. Scaling out starts the lowest-numbered copies
 *   not running; scaling in stops the highest-numbered running ones gracefully (SIGTERM, then
 *   SIGKILL after `graceMs`), so their clients can leave their groups and commit.
 * - step: one copy started or stopped; steps are `stepMs` apart, the first when `at` fires.
 * - ready: a copy started by a step must get ready (the workload's per-copy readiness, e.g.
 *   "joined the consumer group") within the scenario's readyMs, as copies started with the run
 *   must. One that does not is recorded as a `not-ready` learner event, which the runner turns
 *   into a failing "ready" check; one that crashes is a crash like any other ("program-starts").
 *
 * Events: `start` at each step (with `action` "start" or "stop" and the copy), one `heal` once
 * every step is done and every copy it started got ready (or ran out of time): while the fault
 * is active a drain does not end, so the run never stops in the middle of a rebalance.
 */
import { num } from '../checks/types.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import type { FaultDefinition } from './types.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ScaleLearnerParams {
  /** Copies running when the run starts (undefined: all of them). */
  from?: number;
  to: number;
  at: Trigger;
  stepMs: number;
  graceMs: number;
}

export interface ScaleStep {
  action: 'start' | 'stop';
  instance: number;
}

/**
 * The steps that take the running copies to `to` (pure): start the lowest-numbered copies
 * not running, or stop the highest-numbered running ones. `running`: the instance numbers
 * running now; `max`: learner.instances.
 */
export function scaleSteps(running: readonly number[], to: number, max: number): ScaleStep[] {
  if (to < 0 || to > max) throw new Error(`scale-learner: "to" must be between 0 and learner.instances (${max}), got ${to}`);
  const up = new Set(running);
  if (to >= up.size) {
    const idle = Array.from({ length: max }, (_, i) => i + 1).filter((i) => !up.has(i));
    return idle.slice(0, to - up.size).map((instance) => ({ action: 'start', instance }));
  }
  return [...up].sort((a, b) => b - a).slice(0, up.size - to).map((instance) => ({ action: 'stop', instance }));
}

export const scaleLearner: FaultDefinition<ScaleLearnerParams> = {
  name: 'scale-learner',
  parseParams: (raw) => {
    if (raw.at !== undefined && typeof raw.at === 'object' && raw.at !== null && 'call' in raw.at) throw new Error('scale-learner: "at" cannot be a call trigger; use produced, afterMs or phase');
    return {
      ...(raw.from === undefined ? {} : { from: num(raw, 'from') }),
      to: num(raw, 'to'),
      at: parseTrigger(raw.at),
      stepMs: num(raw, 'stepMs', 1_000),
      graceMs: num(raw, 'graceMs', 6_000),
    };
  },
  initialInstances: (params) => params.from,
  instancesNeeded: (params) => Math.max(params.to, params.from ?? 0),
  arm(ctx, params, id) {
    const at = params.at;
    if ('call' in at) return; // refused by parseParams
    const record = (value: Record<string, unknown>) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'scale-learner', id, ...value } });

    async function scale(): Promise<void> {
      const steps = scaleSteps(
        ctx.learners.running().map((p) => p.instance),
        params.to,
        ctx.learners.processes.length,
      );
      const readiness: Promise<unknown>[] = [];
      for (const [i, step] of steps.entries()) {
        if (i > 0) await sleep(params.stepMs, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) break;
        const copy = ctx.learners.get(step.instance);
        record({ phase: 'start', action: step.action, instance: step.instance, ...(step.action === 'stop' ? { signal: 'SIGTERM' } : {}) });
        if (step.action === 'start') {
          copy.start(); // recorded as the copy's process start
          readiness.push(ctx.awaitReady(step.instance));
        } else {
          readiness.push(copy.stop(params.graceMs));
        }
      }
      await Promise.all(readiness);
      record({ phase: 'heal', running: ctx.learners.running().map((p) => p.instance) });
    }

    // Tracked once it strikes: a run waits for its steps, never for a trigger that may not come.
    void whenTriggered(at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(scale());
    });
  },
};
