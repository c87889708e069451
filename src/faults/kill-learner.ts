/**
 * kill-learner: SIGKILL a copy of the learner's program while it is in the middle of a
 * message, namely while one of its downstream calls (the victim call) is in flight, and
 * optionally start it again (the heal).
 *
 * Striking mid-call, rather than at a random moment, makes the outcome deterministic: the
 * victim's message is certainly unfinished, so a program that acked or committed it too
 * early certainly loses it.
 *
 * Definitions:
 * - victim call: the first downstream call with index >= `atCall` (counted over the run,
 *   1-based) that matches `service` (the downstream's name, e.g. "payments-api"), `instance`
 *   (the copy that made it), `tag` (a tag the lab put on the message, e.g. "poison"),
 *   `attempt` (the downstream's count of calls for that message) and the workload's probe
 *   `victimIf` (e.g. "followed-in-batch": later messages of its partition came with it)
 *   when they are given.
 *   `tag: "poison", attempt: 2` strikes between a retried message's attempts: whatever the
 *   program kept in memory about attempt 1 is gone when attempt 3 comes.
 * - hold: the victim call is not answered; the lab waits for the moment the mistake would
 *   show, then kills. Without a hold the kill is immediate. The hold ends on the first of:
 *   - "overtaken": a call the same copy made after the victim call was answered OK (the
 *     copy finished later work while the victim is unfinished). From then on the copy is
 *     frozen: every new call it makes is held too, so nothing more finishes, and after
 *     `settleMs` every ack or commit for the work it did finish has reached the broker. An
 *     ack with `multiple: true` or an offset+1 commit for later work then covers the victim,
 *     and the broker's state at the kill says exactly what the copy had acknowledged.
 *   - "committed-past": the workload's probe of that name says the broker already holds a
 *     commit past the victim message (a commit on a timer, or before the work).
 *   - "redelivered": another copy processed the victim message OK (its partition moved on,
 *     e.g. because the held copy missed its heartbeats): nothing more can show.
 *   - `maxMs` passed (a program that does one message at a time ends up here).
 * - at: instead of a victim call, a trigger (faults/triggers.ts: {"phase": "name"},
 *   {"produced": N}, {"afterMs": N}) kills copy `instance` (default 1) when it fires: for a
 *   program that calls no lab service (a router between two queues), the workload enters a
 *   phase at the moment its mistake would show (events taken and not yet passed on).
 */
import { num, str } from '../checks/types.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import type { CallInfo } from '../runner/downstream.js';
import type { History, Operation } from '../runner/history.js';
import { tagsOf } from '../checks/types.js';
import type { FaultContext, FaultDefinition } from './types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { callValue } from '../runner/calls.js';

export type HoldEvidence = 'overtaken' | 'committed-past' | 'redelivered';
const EVIDENCE: readonly HoldEvidence[] = ['overtaken', 'committed-past', 'redelivered'];

export interface KillLearnerParams {
  atCall: number;
  service?: string;
  instance?: number;
  tag?: string;
  attempt?: number;
  /** A workload probe the victim's message must satisfy. */
  victimIf?: string;
  hold?: { maxMs: number; settleMs: number; until: HoldEvidence[] };
  /** Kill copy `instance` (default 1) when this fires, instead of during a victim call. */
  at?: Exclude<Trigger, { call: number }>;
  restart: boolean;
  restartDelayMs: number;
  /** A workload probe that must answer true (asked with the victim's key, or "" for an `at`
   *  kill) before the copy is started again, after `restartDelayMs`: the workload gets to
   *  finish what it does while the copy is down (e.g. queue messages the copy never held)
   *  before the program can look. Up to 10 s, then the restart goes ahead. */
  restartWhen?: string;
}

/** The longest a restart waits for its `restartWhen` probe. */
const RESTART_WHEN_MAX_MS = 10_000;

/** Whether this call is the victim (pure; `history` gives the message's tags). */
export function isVictim(
  call: Pick<CallInfo, 'index' | 'key' | 'attempt'> & Partial<Pick<CallInfo, 'service' | 'instance'>>,
  params: Pick<KillLearnerParams, 'atCall' | 'tag' | 'attempt' | 'service' | 'instance'>,
  history: History,
): boolean {
  if (call.index < params.atCall) return false;
  if (params.service !== undefined && call.service !== params.service) return false;
  if (params.instance !== undefined && call.instance !== params.instance) return false;
  if (params.attempt !== undefined && call.attempt !== params.attempt) return false;
  if (params.tag !== undefined) {
    const produced = history.find((op) => op.kind === 'produce' && op.key === call.key);
    if (!produced || !tagsOf(produced).includes(params.tag)) return false;
  }
  return true;
}

/** The first OK call by the same copy that arrived after the victim did (pure), or undefined. */
export function overtakenBy(victim: Pick<CallInfo, 'key' | 'instance' | 'arrivedAt'>, history: History): Operation | undefined {
  return history.find((op) => {
    if (op.kind !== 'call' || op.outcome !== 'ok' || op.key === victim.key) return false;
    const v = callValue(op);
    return v?.instance === victim.instance && (v.arrivedAt ?? -1) > victim.arrivedAt;
  });
}

/** Whether another copy processed the victim's message OK after the victim call arrived (pure). */
export function redelivered(victim: Pick<CallInfo, 'key' | 'instance' | 'arrivedAt'>, history: History): boolean {
  return history.some((op) => {
    const v = callValue(op);
    return op.kind === 'call' && op.outcome === 'ok' && op.key === victim.key && v?.instance !== victim.instance && (v?.arrivedAt ?? -1) > victim.arrivedAt;
  });
}

function parseHold(raw: unknown): KillLearnerParams['hold'] {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null) throw new Error('"hold" must be an object like {"maxMs": 1500, "until": ["overtaken"]}');
  const r = raw as Record<string, unknown>;
  const until = r.until ?? [];
  if (!Array.isArray(until) || !until.every((u) => EVIDENCE.includes(u as HoldEvidence))) {
    throw new Error(`"hold.until" must be a list of ${EVIDENCE.map((e) => `"${e}"`).join(', ')}`);
  }
  return { maxMs: num(r, 'maxMs'), settleMs: num(r, 'settleMs', 300), until: until as HoldEvidence[] };
}

export const killLearner: FaultDefinition<KillLearnerParams> = {
  name: 'kill-learner',
  parseParams(raw) {
    if (raw.restart !== undefined && typeof raw.restart !== 'boolean') throw new Error('"restart" must be true or false');
    if (raw.restartWhen !== undefined && raw.restart !== true) throw new Error('"restartWhen" waits before a restart: it needs "restart": true');
    if (raw.tag !== undefined && typeof raw.tag !== 'string') throw new Error('"tag" must be a string');
    const at = raw.at === undefined ? undefined : parseTrigger(raw.at);
    if (at && 'call' in at) throw new Error('"at" must be {"phase": "name"}, {"produced": N} or {"afterMs": N}: a kill during a call is chosen by "atCall", "service", "tag"...');
    const byCall = ['atCall', 'service', 'tag', 'attempt', 'victimIf', 'hold'].filter((field) => raw[field] !== undefined);
    if (at && byCall.length > 0) throw new Error(`"at" kills copy "instance" when it fires: it cannot be combined with ${byCall.map((f) => `"${f}"`).join(', ')}, which choose a victim call`);
    return {
      ...(at ? { at } : {}),
      atCall: num(raw, 'atCall', 1),
      ...(raw.service === undefined ? {} : { service: str(raw, 'service') }),
      ...(raw.instance === undefined ? {} : { instance: num(raw, 'instance') }),
      ...(raw.tag === undefined ? {} : { tag: raw.tag as string }),
      ...(raw.attempt === undefined ? {} : { attempt: num(raw, 'attempt') }),
      ...(raw.victimIf === undefined ? {} : { victimIf: str(raw, 'victimIf') }),
      ...(raw.hold === undefined ? {} : { hold: parseHold(raw.hold) }),
      restart: raw.restart === true,
      restartDelayMs: num(raw, 'restartDelayMs', 500),
      ...(raw.restartWhen === undefined ? {} : { restartWhen: str(raw, 'restartWhen') }),
    };
  },
  arm(ctx, params, id) {
    let fired = false;
    /** Set while the victim's copy is frozen: its new calls wait for the kill. */
    let frozen: { instance: number; killed: Promise<void> } | undefined;
    /** The pause before a restart: the delay, then the workload's go-ahead if it asks for one. */
    async function beforeRestart(key: string): Promise<void> {
      await sleep(params.restartDelayMs);
      const ready = params.restartWhen === undefined ? undefined : ctx.probe(params.restartWhen);
      if (!ready) return;
      const deadline = Date.now() + RESTART_WHEN_MAX_MS;
      while (Date.now() < deadline && !ctx.signal.aborted && !(await ready(key).catch(() => false))) await sleep(20);
    }
    const record = (key: string | undefined, value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', ...(key ? { key } : {}), value: { fault: 'kill-learner', id, ...value } });

    /** What the committed-past probe saw when it fired. */
    let seen: { heldMs: number; laterDone: boolean } | undefined;

    /** Waits, call held open, until the hold's evidence shows or it runs out; says which.
     *  `killed` resolves once the victim is dead (frozen calls wait for it). */
    async function hold(call: CallInfo, h: NonNullable<KillLearnerParams['hold']>, killed: Promise<void>): Promise<string> {
      const deadline = Date.now() + h.maxMs;
      const probe = h.until.includes('committed-past') ? ctx.probe('committed-past') : undefined;
      while (Date.now() < deadline && !ctx.signal.aborted) {
        const history = ctx.history.history;
        if (h.until.includes('overtaken') && overtakenBy(call, history)) {
          frozen = { instance: call.instance, killed };
          await sleep(h.settleMs);
          return 'overtaken';
        }
        if (h.until.includes('redelivered') && redelivered(call, history)) return 'redelivered';
        if (probe && (await probe(call.key).catch(() => false))) {
          // How the commit got past the held message tells the mistakes apart: at once (a
          // commit before the work), after later work of the same copy was done (a commit for
          // that later work), or after a while with no later work done (a commit on a timer).
          seen = { heldMs: ctx.history.now() - call.arrivedAt, laterDone: overtakenBy(call, ctx.history.history) !== undefined };
          return 'committed-past';
        }
        await sleep(50);
      }
      return 'max';
    }

    if (params.at) {
      const instance = params.instance ?? 1;
      // Tracked once it strikes: a run waits for a kill and its restart, never for a trigger that may not come.
      void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
        if (!fired) return;
        ctx.track(
          (async () => {
            const victim = ctx.learners.get(instance);
            record(undefined, { phase: 'start', instance: victim.instance, signal: 'SIGKILL', reason: 'trigger' });
            await victim.kill();
            if (!params.restart) {
              record(undefined, { phase: 'heal', instance: victim.instance, restarted: false });
              return;
            }
            await beforeRestart('');
            victim.start();
            record(undefined, { phase: 'heal', instance: victim.instance, restarted: true });
          })(),
        );
      });
      return;
    }

    ctx.onDownstreamCall(async (call) => {
      if (frozen && call.instance === frozen.instance) {
        await frozen.killed;
        return 'killed';
      }
      if (fired || !isVictim(call, params, ctx.history.history)) return 'continue';
      const victimIf = params.victimIf === undefined ? undefined : ctx.probe(params.victimIf);
      if (victimIf && !(await victimIf(call.key).catch(() => false))) return 'continue';
      if (fired) return 'continue'; // another call became the victim while the probe ran
      fired = true;
      const victim = ctx.learners.get(call.instance);
      let reason: string | undefined;
      let markKilled = () => {};
      const killed = new Promise<void>((resolve) => (markKilled = resolve));
      if (params.hold) {
        record(call.key, { phase: 'hold', instance: victim.instance, duringCall: call.index });
        reason = await hold(call, params.hold, killed);
      }
      record(call.key, { phase: 'start', instance: victim.instance, signal: 'SIGKILL', duringCall: call.index, ...(reason ? { reason } : {}), ...(seen ? { committedPast: seen } : {}) });
      await victim.kill();
      frozen = undefined;
      markKilled();
      if (!params.restart) {
        record(undefined, { phase: 'heal', instance: victim.instance, restarted: false });
        return 'killed';
      }
      ctx.track(
        (async () => {
          await beforeRestart(call.key);
          victim.start();
          record(undefined, { phase: 'heal', instance: victim.instance, restarted: true });
        })(),
      );
      return 'killed';
    });
  },
};
