/**
 * The history of one graded run: every operation the lab performed or observed, in order.
 * Checks are pure functions over it, so a verdict can always be recomputed from the saved
 * history.jsonl in the run directory.
 *
 * Definitions (as in Jepsen/Maelstrom):
 * - operation: one thing that happened at time `t` (ms since the run started) in `process`.
 * - outcome "ok": it certainly happened; "fail": it certainly did not; "info": unknown
 *   (e.g. a downstream call whose caller was killed before it got the answer).
 */

/** Who performed or saw the operation. "lab" = brokerlab's own clients; "learner-N" = the
 *  learner's Nth process as seen from outside; "downstream" = a fake service the lab runs. */
export type ProcessName = 'lab' | 'downstream' | 'nemesis' | `learner-${number}`;

export type OperationKind =
  /** the lab sent a message into the broker */
  | 'produce'
  /** the lab received a message out of the broker (e.g. the learner's output) */
  | 'consume'
  /** the learner's program called a downstream service the lab runs (its side effect) */
  | 'call'
  /** the lab found a message in a dead-letter queue */
  | 'dead-letter'
  /** the lab sampled broker state (consumers, group members, offsets, subscriptions) */
  | 'observe'
  /** a fault started or ended (kill, restart, pause) */
  | 'fault'
  /** a learner process started or exited */
  | 'process'
  /** the workload entered a phase (key: its name, "workload" when traffic starts): faults
   *  can be timed on phases */
  | 'phase';

export type Outcome = 'ok' | 'fail' | 'info';

export interface Operation {
  /** Milliseconds since the run started. */
  t: number;
  process: ProcessName;
  kind: OperationKind;
  outcome: Outcome;
  /** The message or entity this is about (a task id, an order id). */
  key?: string;
  /** Free-form payload: the message value, a sampled observation, an error text. */
  value?: unknown;
  /** Where it was seen: a channel, queue or topic. */
  stream?: string;
  partition?: number;
  offset?: string;
  /** For calls: which attempt of this key this was, as counted by the lab (1-based). */
  attempt?: number;
}

export type History = readonly Operation[];

/** Appends operations with run-relative timestamps. One per run. */
export class HistoryRecorder {
  private readonly started = performance.now();
  private readonly ops: Operation[] = [];
  private readonly producedByKey = new Map<string, Operation>();
  /** Messages the lab is publishing, by key, with their value (tags), until recorded. */
  private readonly sendingByKey = new Map<string, unknown>();
  private readonly listeners = new Set<(op: Operation) => void>();

  record(op: Omit<Operation, 't'>): Operation {
    const full: Operation = { t: Math.round(performance.now() - this.started), ...op };
    this.ops.push(full);
    if (full.kind === 'produce' && full.key !== undefined && !this.producedByKey.has(full.key)) this.producedByKey.set(full.key, full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** The lab's first `produce` of this key (what it sent, with its tags), if any. */
  produced(key: string): Operation | undefined {
    return this.producedByKey.get(key);
  }

  /**
   * The lab is about to publish a message with this key and value: from now on the lab's
   * services know it. The broker may deliver it, and the program call about it, before the
   * lab has recorded its `produce` (which waits for the broker's confirm).
   */
  sending(key: string, value: unknown): void {
    if (!this.producedByKey.has(key) && !this.sendingByKey.has(key)) this.sendingByKey.set(key, value);
  }

  /** The value (with its tags) of the lab's first `produce` of this key, or of the message
   *  it is publishing with this key; undefined for a key the lab never sent. */
  known(key: string): { value: unknown } | undefined {
    const produced = this.producedByKey.get(key);
    if (produced) return { value: produced.value };
    return this.sendingByKey.has(key) ? { value: this.sendingByKey.get(key) } : undefined;
  }

  /** Calls `listener` with every operation recorded from now on; returns how to stop. */
  subscribe(listener: (op: Operation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  now(): number {
    return Math.round(performance.now() - this.started);
  }

  get history(): History {
    return this.ops;
  }
}
