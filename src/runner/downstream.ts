/**
 * A fake downstream service the lab runs for the learner's program to call (a thumbnail
 * API, a payments ledger). It is how the lab sees the learner's side effects: every call is
 * recorded with its key and attempt number, counted here and not by the learner.
 *
 * Definitions:
 * - call: one HTTP POST with a JSON body whose `keyField` names the message it is about.
 * - attempt: the n-th call for the same key (1-based), counted by this server.
 * - outcome: "ok" when it answered 2xx, "fail" for an error status, "info" when the caller
 *   died while the call was in flight (killed by the lab, crashed, stopped): cut short, it
 *   does not count as done.
 * - a caller that gave up: the call's connection closed while its copy was alive (a client
 *   timeout shorter than the work). The service did the work all the same: the call is
 *   recorded by its status ("ok" for a 2xx) with `callerGaveUp`, as a real service would have
 *   charged the card or sent the mail.
 * - rejected: a request the service refuses as malformed (`reject` gives the reason), answered
 *   400 and recorded as "fail" with `rejected`; it is not an attempt and no fault strikes it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { History, HistoryRecorder } from './history.js';
import type { Random } from './seed.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { firedAt } from '../faults/triggers.js';
import { Schedule, type ScheduleWindow, type WindowTransition } from './downstream-schedule.js';
import { isExitEvent } from './learner-events.js';
import { isFaultEvent } from '../faults/events.js';
import { tagsOf } from './messages.js';

export interface DownstreamReply {
  status: number;
  body: Record<string, unknown>;
}

/** One call as it arrives, before it is answered. */
export interface CallInfo {
  /** 1-based, over the whole run and every downstream service. */
  index: number;
  /** Which downstream service was called (its `name`, "payments-api"). */
  service: string;
  key: string;
  /** Which copy of the learner's program called (its x-instance-id header, else 1). */
  instance: number;
  /** This key's n-th call (1-based), counted here. */
  attempt: number;
  /** When it arrived (ms since the run started). */
  arrivedAt: number;
}

/** Called when a call arrives, before it is answered (it may hold the call open). Return
 *  "killed" if the fault killed the caller: the call is then recorded as "info" and its
 *  connection dropped. */
export type CallHook = (call: CallInfo) => Promise<'killed' | 'continue'>;

export interface DownstreamOptions {
  /** Logical name used as the history `stream` ("thumbnail-api"). */
  name: string;
  /** The body field that identifies the message ("taskId"). */
  keyField: string;
  /** Simulated work per call, so that messages are genuinely in flight. */
  latencyMs: number;
  /** Up to this much more per call, drawn from the run's seed: concurrent work finishes out
   *  of order, as it does in real services. */
  jitterMs?: number;
  /** Decides the answer for this key's n-th attempt. Default: by `failures`. */
  reply?(key: string, attempt: number): DownstreamReply;
  /** Named failure rules by the tags the lab put on a message: {"poison": "always-500",
   *  "transient": "first-503"}. A message without a rule's tag is answered 200; a key the
   *  lab never sent, 404. */
  failures?: Readonly<Record<string, FailureRule>>;
  /** The body of a 200 ({"thumbnail": "thumbs/<key>.jpg"}): `{key}` is replaced. */
  okBody?: Record<string, string>;
  /** Body fields recorded with every call, whatever its outcome, as `value.fields`
   *  (["correlationId"]): what the caller said about the message, for checks to compare. */
  recordFields?: readonly string[];
  /** The copy of the learner's program that calls this service when the call does not say
   *  (no x-instance-id header): a service only one role calls. Default 1. */
  instance?: number;
  /** Why a request is malformed (a missing header, a field of the wrong type), or undefined
   *  when it is fine: the README's contract, enforced as a real API would, with a 400. */
  reject?(request: { body: Record<string, unknown>; headers: IncomingMessage['headers'] }): string | undefined;
  /** Bad spells on a schedule (downstream-schedule.ts): every call in a window fails, is
   *  slow, hangs or finds the service gone, whatever the rules above say. */
  schedule?: readonly ScheduleWindow[];
}

/** How often the service looks at its schedule's triggers between calls. */
const SCHEDULE_TICK_MS = 20;

/** How long a connection's close may come before the lab has recorded its caller's death
 *  (the exit event follows SIGCHLD): the service waits this long before it decides. */
const DEATH_NOTICE_MS = 150;

/** True when copy `instance` of the learner's program was killed or exited at or after `since`
 *  (pure): a call it made before then was cut short by its death. */
export function callerDiedSince(history: History, instance: number, since: number): boolean {
  return history.some(
    (op) =>
      op.t >= since &&
      ((op.process === `learner-${instance}` && isExitEvent(op)) ||
        (isFaultEvent(op) && op.value.phase === 'start' && op.value.instance === instance && op.value.signal === 'SIGKILL')),
  );
}

/**
 * A named failure rule:
 * - always-500: every attempt fails with 500 (a poison message: the input itself is broken);
 * - first-503: the first attempt fails with 503 (busy, try again), later ones succeed;
 * - first-N-503 (e.g. "first-3-503"): the first N attempts fail with 503.
 */
export type FailureRule = 'always-500' | 'first-503' | `first-${number}-503`;

export function failingAttempts(rule: FailureRule): number {
  if (rule === 'always-500') return Number.POSITIVE_INFINITY;
  if (rule === 'first-503') return 1;
  return Number(/^first-(\d+)-503$/.exec(rule)?.[1] ?? 1);
}

/** The answer the rules give to a key's n-th attempt (pure). */
export function replyByRules(tags: readonly string[] | undefined, attempt: number, options: Pick<DownstreamOptions, 'failures' | 'okBody'>, key: string): DownstreamReply {
  if (tags === undefined) return { status: 404, body: { error: `unknown ${key}: the lab never sent it` } };
  for (const tag of tags) {
    const rule = options.failures?.[tag];
    if (!rule || attempt > failingAttempts(rule)) continue;
    return rule === 'always-500'
      ? { status: 500, body: { error: `cannot process ${key}: its data is corrupt` } }
      : { status: 503, body: { error: 'service busy, try again' } };
  }
  const body = Object.fromEntries(Object.entries(options.okBody ?? { done: '{key}' }).map(([field, template]) => [field, template.replace('{key}', key)]));
  return { status: 200, body };
}


/** Call indexes are counted over every downstream of a run (a fault's `atCall`). */
export class CallCounter {
  count = 0;
}

export class Downstream {
  private server: Server | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly hooks: CallHook[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly schedule: Schedule | undefined;
  private scheduleTimer: NodeJS.Timeout | undefined;
  /** This service's own calls (the run's `counter` counts every service's). */
  private serviceCalls = 0;

  constructor(
    private readonly options: DownstreamOptions,
    private readonly history: HistoryRecorder,
    private readonly random: Random,
    private readonly counter: CallCounter = new CallCounter(),
  ) {
    this.schedule = options.schedule && options.schedule.length > 0 ? new Schedule(options.schedule) : undefined;
  }

  /** When a workload trigger fired, for the schedule. */
  private readonly clock = (trigger: { afterMs: number } | { phase: string }) => firedAt(trigger, this.history.history, this.history.now());

  /** Records a window's start or end as a fault event, for the report's timeline. */
  private recordWindows(changes: readonly WindowTransition[]): void {
    for (const { window, index, phase } of changes) {
      this.history.record({
        process: 'downstream',
        kind: 'fault',
        outcome: 'ok',
        stream: this.options.name,
        // Negative ids: never one of the scenario's faults (their index in its list).
        value: { fault: `${this.options.name} ${window.mode}`, id: -1 - index, phase, window: window.name, mode: window.mode },
      });
    }
  }

  /** The tags of the message the lab sent (or is sending) with this key, or undefined if it
   *  sent none: a call may come before the lab has recorded the message it is about. */
  private tagsOf(key: string): string[] | undefined {
    // Known from before the publish: a call may come before the broker's confirm is recorded.
    const known = this.history.known(key);
    if (!known) return undefined;
    return tagsOf(known);
  }

  onCall(hook: CallHook): void {
    this.hooks.push(hook);
  }

  async start(): Promise<string> {
    // A caller that dies while sending its request is handled in readBody; any other error
    // here is a bug in the lab, for the top-level handler to report.
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    if (this.schedule) {
      const schedule = this.schedule;
      this.scheduleTimer = setInterval(() => this.recordWindows(schedule.tick(this.history.now(), this.clock)), SCHEDULE_TICK_MS);
    }
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    // The caller went away before its request was whole (a fault killed it mid-send): a call
    // that never arrived, not an unhandled rejection that ends the lab's process.
    if (raw === undefined) return;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // handled below as a call without a key
    }
    const key = body[this.options.keyField];
    if (req.method !== 'POST' || typeof key !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `expected a POST with a JSON body containing "${this.options.keyField}"` }));
      this.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: this.options.name, value: { status: 400, body: raw.slice(0, 200) } });
      return;
    }
    const instance = Number(req.headers['x-instance-id'] ?? body.instance ?? this.options.instance ?? 1) || 1;
    const rejected = this.options.reject?.({ body, headers: req.headers });
    if (rejected !== undefined) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: rejected }));
      this.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: this.options.name, key, value: { instance, status: 400, rejected } });
      return;
    }
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const index = ++this.counter.count;
    const fields = this.options.recordFields ? { fields: Object.fromEntries(this.options.recordFields.map((f) => [f, body[f] ?? null])) } : {};
    const arrivedAt = this.history.now();
    // Drawn before the hooks run, so a held call does not shift the schedule of the others.
    const latency = this.options.latencyMs + (this.options.jitterMs ? this.random.int(0, this.options.jitterMs) : 0);
    this.serviceCalls += 1;
    let spell: ScheduleWindow | undefined;
    if (this.schedule) {
      const { window, changes } = this.schedule.arrive(arrivedAt, this.serviceCalls, this.clock);
      this.recordWindows(changes);
      spell = window === undefined ? undefined : this.schedule.windows[window];
    }
    const inWindow = spell ? { window: spell.name } : {};

    for (const hook of this.hooks) {
      if ((await hook({ index, service: this.options.name, key, instance, attempt, arrivedAt })) === 'killed') {
        this.history.record({ process: 'downstream', kind: 'call', outcome: 'info', stream: this.options.name, key, attempt, value: { instance, arrivedAt, note: 'caller killed mid-call', ...inWindow, ...fields } });
        req.socket.destroy();
        return;
      }
    }
    if (spell?.mode === 'down') {
      // Gone: no answer at all, the connection reset (the caller sees ECONNRESET).
      req.socket.resetAndDestroy();
      this.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: this.options.name, key, attempt, value: { instance, arrivedAt, down: true, ...inWindow, ...fields } });
      return;
    }
    let reply: DownstreamReply;
    if (spell?.mode === 'timeout') {
      // Hung: held until the caller gives up (its connection closes) or the hold runs out.
      await holdUntilClosed(req, spell.maxHoldMs);
      reply = { status: 504, body: { error: 'gateway timeout' } };
    } else {
      await sleep(latency + (spell?.mode === 'slow' ? spell.extraMs : 0));
      reply =
        spell?.mode === 'error'
          ? { status: spell.status, body: { error: spell.status === 503 ? 'service unavailable, try again later' : 'internal server error' } }
          : this.options.reply
            ? this.options.reply(key, attempt)
            : replyByRules(this.tagsOf(key), attempt, this.options, key);
    }
    // Decided from the lab's record of the caller's life, not from when the closed
    // connection is noticed, so the same program gets the same record every run.
    const gone = req.socket.destroyed;
    if (gone) await sleep(DEATH_NOTICE_MS);
    if (callerDiedSince(this.history.history, instance, arrivedAt)) {
      this.history.record({ process: 'downstream', kind: 'call', outcome: 'info', stream: this.options.name, key, attempt, value: { instance, arrivedAt, note: 'caller went away', ...inWindow, ...fields } });
      if (!gone) req.socket.destroy();
      return;
    }
    if (!req.socket.destroyed) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    }
    this.history.record({
      process: 'downstream',
      kind: 'call',
      outcome: reply.status < 300 ? 'ok' : 'fail',
      stream: this.options.name,
      key,
      attempt,
      value: { instance, arrivedAt, status: reply.status, ...inWindow, ...fields, ...(gone ? { callerGaveUp: true } : {}) },
    });
  }
}

/** Resolves when the request's connection closes or after `maxMs`, whichever comes first. */
function holdUntilClosed(req: IncomingMessage, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.socket.destroyed) return resolve();
    const done = () => {
      clearTimeout(timer);
      req.socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    req.socket.once('close', done);
  });
}

/** What is wrong with a call's x-instance-id header for a run of `instances` copies, or
 *  undefined (pure): for a `reject` rule where the checks judge which copy did what. */
export function whichCopyProblem(headers: IncomingMessage['headers'], instances: number): string | undefined {
  const header = headers['x-instance-id'];
  if (header === undefined) return 'no x-instance-id header: say which copy you are (INSTANCE_ID)';
  const copies = Array.from({ length: instances }, (_, i) => String(i + 1));
  return copies.includes(String(header)) ? undefined : `x-instance-id is "${String(header)}", not one of ${copies.join(', ')} (INSTANCE_ID)`;
}

/** Which of `fields` a call's body does not carry as the lab sent them, as a `reject` reason
 *  ("send the payment's "amountCents" and "currency" unchanged (got {...})"), or undefined
 *  (pure). `whose` names the message in the reason: "the payment's", "its". */
export function changedFieldsProblem(body: Record<string, unknown>, sent: Readonly<Record<string, unknown>>, fields: readonly string[], whose: string): string | undefined {
  if (fields.every((field) => body[field] === sent[field])) return undefined;
  const got = Object.fromEntries(fields.map((field) => [field, body[field] ?? null]));
  return `send ${whose} ${fields.map((field) => `"${field}"`).join(' and ')} unchanged (got ${JSON.stringify(got)})`;
}

/** The request's body, or undefined when the caller's connection closed before it was whole. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let raw = '';
  try {
    for await (const chunk of req) raw += String(chunk);
  } catch {
    req.socket.destroy();
    return undefined;
  }
  return raw;
}
