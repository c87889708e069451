/**
 * windowed-aggregates: the stream aggregation exercise (workloads/kafka-stream-aggregation.ts).
 * The lab sends sales with their event time; the program writes, per product and tumbling
 * window, the count and the sum of the sales in it to an output topic. The check recomputes
 * every window from what the lab sent and compares it with the latest result per key.
 *
 * Definitions:
 * - sale: a `produce` of the `sales` stream, value { saleId, product, amountCents, eventTime }
 *   (eventTime in epoch ms: the event time). The input topic has one partition, so the
 *   offset order is the order every program reads them in.
 * - copy: a sale whose saleId was sent before (a producer's retry, tagged "duplicate"): it
 *   counts once.
 * - window: [windowStart, windowStart + windowMs), windowStart a multiple of windowMs since
 *   the epoch (aligned to the clock, not to the first sale). A sale at exactly windowEnd
 *   belongs to the next window.
 * - stream time: the largest eventTime read so far (the watermark of this exercise).
 * - closed: a window closes once stream time >= windowEnd + graceMs (reaching it is enough:
 *   a program that waits for stream time past it is a mistake); only closed windows are
 *   graded (the window of the last sale, still open at the end, is not).
 * - late: a sale read when its window had already closed: dropped, never counted. A sale out
 *   of order whose window is still open (within the grace period) counts.
 * - result: the latest record the lab read from the output stream per key
 *   ("<product>@<windowStart>"), value { product, windowStart, windowEnd, count, sumCents }.
 * - stream time per product: a mistake, each product's own largest eventTime used as its
 *   stream time; a product that sells nothing more never closes its last windows.
 * - model: the results a program with one known mistake would write, computed from the same
 *   sales (windows by arrival are not computed: they fall at the run's wall-clock time, far
 *   from the sales' event times). A model explains a differing window when it predicts there
 *   what the program wrote and not what is right.
 * - cause of a failure: windows by arrival when most results fall at or after the time the
 *   lab sent the first sale; otherwise what explains the most differing windows, a model or
 *   the restart (windows open when the program was killed that came out short, one of them
 *   written); otherwise missing windows (all differing ones have no result) or wrong values.
 */
import type { History, Operation } from '../runner/history.js';
import { isRecord } from '../runner/messages.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, seconds, selector, tagsOf } from './types.js';

export interface WindowsParams {
  sales: Selector;
  results: Selector;
  windowMs: number;
  graceMs: number;
}

/** One sale as the lab sent it, in offset order. */
export interface Sale {
  saleId: string;
  product: string;
  amountCents: number;
  eventTime: number;
  /** Wall-clock time (epoch ms) the lab sent it: what a window by arrival time would use. */
  sentAt: number;
  /** Run time (ms) the lab recorded its send. */
  t: number;
  prefill: boolean;
}

export interface WindowResult {
  product: string;
  windowStart: number;
  count: number;
  sumCents: number;
}

interface ModelWindow extends WindowResult {
  /** Run time the first counted sale of it was sent, and the sale that closed it was sent. */
  firstSentT: number;
  closedAtT?: number;
  closed: boolean;
}

interface Model {
  /** Where a sale at `t` goes: its window's start. */
  windowOf(t: number): number;
  graceMs: number;
  dedup: boolean;
  dropLate: boolean;
  /** Sales the program never read. */
  skip?(sale: Sale): boolean;
  /** A stream time per product (its own largest eventTime) instead of the stream's. */
  perProduct?: boolean;
  /** A window closes only once stream time is past windowEnd + grace (>), not when it reaches it. */
  closesPast?: boolean;
}

const CAUSES = {
  'duplicates-counted': 'A sale sent twice (a producer retry: same saleId) was counted twice. Remember the saleIds counted in each open window and skip one seen before.',
  'arrival-time': 'Your windows are placed by when a sale arrived (the clock, or the Kafka record timestamp, which is the time the lab sent it), not by its eventTime. Window by the eventTime field of the sale.',
  'inclusive-end': 'A sale at exactly a window\'s end was counted in that window: windows are [start, end), so a sale at end belongs to the next window. windowStart = eventTime - (eventTime mod windowMs).',
  'aligned-to-first-event': 'Your windows start at the first sale\'s time instead of on the clock: windowStart must be a multiple of the window size since the epoch (eventTime - eventTime mod windowMs).',
  'late-counted': 'Sales that arrived after their window had closed (stream time past windowEnd + grace) were counted: drop a sale whose window has already closed, and never change a window\'s result after it closed.',
  'closes-past-boundary': 'A sale read when stream time was exactly windowEnd + grace was counted: the window closes once stream time reaches windowEnd + grace (>=), not only once it is past it (>).',
  'in-grace-dropped': 'Sales that arrived out of order but within the grace period were dropped: a window stays open until stream time reaches windowEnd + grace, not windowEnd.',
  'missed-first': 'The sales already on the topic when your program started were never counted: start a new group from the beginning of the topic (kafkajs fromBeginning: true; librdkafka auto.offset.reset=earliest).',
  'lost-at-restart': 'A window that was open when your program was killed lost the sales it had counted before the kill: its counts lived only in memory while the offsets of those sales were committed. Commit only up to the smallest first offset over all open windows of all products (and keep the stream time), so a restart reads them again.',
  'stream-time-per-product': 'Your stream time is kept per product: a product that sells nothing more never closes its last windows, and its lateness is judged by its own latest sale. Stream time is the largest eventTime read on the partition, across every product.',
  'rewritten-after-restart': 'Windows that had closed, and had their right result before the kill, were written again after the restart with another count: the restarted program read their sales again (from the committed offset) without knowing those windows had closed. Read the stream time back from the commit\'s metadata at start-up, so a re-read sale of a closed window is late again and changes nothing.',
  'zero-count': 'A result with count 0 was written: a window no sale was counted in has no result. A sale dropped as late (or a copy) must not create or overwrite a window\'s result.',
  'misplaced-windows': 'Results were written for windows no sale falls in: the window start is computed wrongly. Round down: windowStart = eventTime - eventTime % WINDOW_MS (not Math.round, not the nearest window).',
  'unreadable-results': 'Results were written but could not be read (the lines above say why): fix their key or JSON value to the README\'s format; the count and sum are checked once they can be read.',
  'missing-windows': 'Closed windows have no result on the output topic: write each window\'s result (key "<product>@<windowStart>") once stream time reaches windowEnd + grace.',
  'wrong-values': 'Some windows have another count or sum than their sales give: count each sale once, in the window of its eventTime, if it arrived before that window closed.',
} as const;
type WindowCause = keyof typeof CAUSES;

/** The sales as sent, in the order the program reads them (offsets of the one partition). */
export function salesOf(history: History, sales: Selector): Sale[] {
  const sent = history.filter((op) => op.kind === sales.kind && op.stream === sales.stream && op.outcome === 'ok' && op.offset !== undefined);
  return [...sent]
    .sort((a, b) => Number(a.offset) - Number(b.offset))
    .flatMap((op) => {
      const v = isRecord(op.value) ? op.value : {};
      const { saleId, product, amountCents, eventTime, sentAt } = v;
      if (typeof saleId !== 'string' || typeof product !== 'string' || typeof amountCents !== 'number' || typeof eventTime !== 'number') return [];
      return [{ saleId, product, amountCents, eventTime, sentAt: typeof sentAt === 'number' ? sentAt : 0, t: op.t, prefill: tagsOf(op).includes('prefill') }];
    });
}

export const resultKey = (product: string, windowStart: number) => `${product}@${windowStart}`;

/** Runs the sales through a windowing program with the model's choices; every window it
 *  opened, with whether it is closed by the end. */
export function simulate(sales: readonly Sale[], windowMs: number, model: Model): Map<string, ModelWindow> {
  const windows = new Map<string, ModelWindow>();
  const seen = new Set<string>();
  const streamTimes = new Map<string, number>();
  const STREAM = '';
  const clockOf = (product: string) => (model.perProduct ? product : STREAM);
  const timeOf = (product: string) => streamTimes.get(clockOf(product)) ?? Number.NEGATIVE_INFINITY;
  const closes = (start: number) => start + windowMs + model.graceMs + (model.closesPast ? 1 : 0);
  for (const sale of sales) {
    if (model.skip?.(sale)) continue;
    const start = model.windowOf(sale.eventTime);
    const late = model.dropLate && timeOf(sale.product) >= closes(start);
    const copy = model.dedup && seen.has(sale.saleId);
    seen.add(sale.saleId);
    streamTimes.set(clockOf(sale.product), Math.max(timeOf(sale.product), sale.eventTime));
    if (!late && !copy) {
      const key = resultKey(sale.product, start);
      const w = windows.get(key) ?? { product: sale.product, windowStart: start, count: 0, sumCents: 0, firstSentT: sale.t, closed: false };
      w.count += 1;
      w.sumCents += sale.amountCents;
      windows.set(key, w);
    }
    for (const w of windows.values()) {
      if (!w.closed && timeOf(w.product) >= closes(w.windowStart)) {
        w.closed = true;
        w.closedAtT = sale.t;
      }
    }
  }
  return windows;
}

/** The latest readable result per key, and the records that were not readable. */
export function resultsOf(history: History, results: Selector, windowMs: number): { latest: Map<string, WindowResult>; unreadable: string[] } {
  const latest = new Map<string, WindowResult>();
  const unreadable: string[] = [];
  for (const op of history.filter((o) => o.kind === results.kind && o.stream === results.stream)) {
    const parsed = readResult(op, windowMs);
    if (typeof parsed === 'string') unreadable.push(parsed);
    else latest.set(op.key ?? '', parsed);
  }
  return { latest, unreadable };
}

function readResult(op: Operation, windowMs: number): WindowResult | string {
  const v = isRecord(op.value) ? op.value.json : undefined;
  const shown = `key ${op.key ?? '(none)'}: ${isRecord(op.value) && typeof op.value.text === 'string' ? op.value.text.slice(0, 120) : '(no value)'}`;
  if (!isRecord(v)) return `${shown} (not a JSON object)`;
  const { product, windowStart, windowEnd, count, sumCents } = v;
  if (typeof product !== 'string' || typeof windowStart !== 'number' || typeof count !== 'number' || typeof sumCents !== 'number') return `${shown} (needs product, windowStart, windowEnd, count and sumCents, numbers in epoch ms and cents)`;
  if (windowEnd !== windowStart + windowMs) return `${shown} (windowEnd must be windowStart + ${windowMs})`;
  if (op.key !== resultKey(product, windowStart)) return `${shown} (the key must be "${resultKey(product, windowStart)}")`;
  return { product, windowStart, count, sumCents };
}

const same = (a: WindowResult | undefined, b: WindowResult | undefined) => (a === undefined ? b === undefined : b !== undefined && a.count === b.count && a.sumCents === b.sumCents);

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const describe = (w: WindowResult | undefined) => (w ? `count ${w.count}, sum ${w.sumCents}` : 'no result');
const windowName = (product: string, start: number, windowMs: number) => `${resultKey(product, start)} [${iso(start)}, ${iso(start + windowMs)})`;

export const windowedAggregates: CheckDefinition<WindowsParams> = {
  name: 'windowed-aggregates',
  causes: CAUSES,
  parseParams: (raw) => ({ sales: selector(raw, 'sales'), results: selector(raw, 'results'), windowMs: num(raw, 'windowMs'), graceMs: num(raw, 'graceMs') }),
  run(history, { sales: salesSelector, results, windowMs, graceMs }) {
    const title = 'Every closed window has the right count and sum';
    const expected = `for each product and ${windowMs / 1000}-second window of event time, the latest result counts each sale once, out-of-order sales within the ${graceMs / 1000}-second grace period included, late ones dropped`;
    const sales = salesOf(history, salesSelector);
    if (sales.length === 0) return { title, status: 'unknown', expected, observed: 'the lab sent no sales (the run stopped early)', examples: [] };
    const epochAligned = (t: number) => t - (((t % windowMs) + windowMs) % windowMs);
    const correct: Model = { windowOf: epochAligned, graceMs, dedup: true, dropLate: true };
    const truth = simulate(sales, windowMs, correct);
    const graded = [...truth.entries()].filter(([, w]) => w.closed);
    const stillOpen = new Set([...truth.entries()].filter(([, w]) => !w.closed).map(([k]) => k));
    const { latest, unreadable } = resultsOf(history, results, windowMs);
    // Results for windows still open at the end are not graded (updates are allowed).
    const actual = new Map([...latest].filter(([k]) => !stillOpen.has(k)));

    const differing = new Set<string>();
    for (const [key, w] of graded) if (!same(w, actual.get(key))) differing.add(key);
    for (const key of actual.keys()) if (!truth.has(key)) differing.add(key);
    if (differing.size === 0 && unreadable.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${graded.length} closed windows (${new Set(graded.map(([, w]) => w.product)).size} products) have the right count and sum`, examples: [] };
    }

    const closedOf = (m: Map<string, ModelWindow>) => new Map([...m].filter(([, w]) => w.closed));
    const t0 = sales[0]?.eventTime ?? 0;
    const models: Array<[WindowCause, Model]> = [
      ['duplicates-counted', { ...correct, dedup: false }],
      ['inclusive-end', { ...correct, windowOf: (t) => Math.ceil(t / windowMs) * windowMs - windowMs }],
      ['aligned-to-first-event', { ...correct, windowOf: (t) => t0 + epochAligned(t - t0) }],
      // Before late-counted: a program that counts only the sale at the boundary is explained
      // by both (one window each); one that counts every late sale is explained by more.
      ['closes-past-boundary', { ...correct, closesPast: true }],
      ['late-counted', { ...correct, dropLate: false }],
      ['in-grace-dropped', { ...correct, graceMs: 0 }],
      ['missed-first', { ...correct, skip: (s) => s.prefill }],
      ['stream-time-per-product', { ...correct, perProduct: true }],
    ];
    // A model explains a differing window when it predicts there what the program wrote, and
    // differs from the right result there; it counts only if it predicts one result the
    // program wrote (a program that wrote nothing is explained by none).
    let best: { cause: WindowCause; explained: number; keys: string[] } | undefined;
    for (const [cause, model] of models) {
      const predicted = closedOf(simulate(sales, windowMs, model));
      const explained = [...differing].filter((k) => !same(predicted.get(k), truth.get(k)) && same(predicted.get(k), actual.get(k)));
      if (explained.some((k) => actual.has(k)) && explained.length > (best?.explained ?? 0)) best = { cause, explained: explained.length, keys: explained };
    }

    // Windows by arrival: most results fall at the run's wall-clock time, not near any sale's event time.
    const firstSent = Math.min(...sales.map((s) => s.sentAt).filter((t) => t > 0));
    const byArrival = [...actual.values()].filter((w) => w.windowStart >= firstSent - windowMs - graceMs);
    const arrival = byArrival.length > 0 && byArrival.length * 2 >= actual.size;

    // Lost at the restart: windows open when the program was killed (a sale of it read before,
    // closed after) that came out short, at least one of them written.
    const kill = history.find((op) => op.kind === 'fault' && isRecord(op.value) && op.value.fault === 'kill-learner' && op.value.phase === 'start');
    const openAtKill = (w: ModelWindow) => kill !== undefined && w.firstSentT < kill.t && (w.closedAtT === undefined || w.closedAtT > kill.t);
    const short = [...differing].filter((k) => {
      const w = truth.get(k);
      return w !== undefined && openAtKill(w) && (actual.get(k)?.count ?? 0) < w.count;
    });
    if (short.some((k) => actual.has(k)) && short.length > (best?.explained ?? 0)) best = { cause: 'lost-at-restart', explained: short.length, keys: short };

    // Rewritten after the restart: windows closed (and written right) before the kill whose
    // latest result came after it and is wrong: the restarted program read their sales again
    // without knowing they had closed (a stream time, or a set of closed windows, not restored).
    const resultOps = history.filter((o) => o.kind === results.kind && o.stream === results.stream);
    const rewritten = [...differing].filter((k) => {
      const w = truth.get(k);
      if (kill === undefined || w?.closedAtT === undefined || w.closedAtT >= kill.t) return false;
      const ops = resultOps.filter((o) => o.key === k);
      const before = ops.filter((o) => o.t < kill.t).at(-1);
      const last = ops.at(-1);
      if (before === undefined || last === undefined || last.t < kill.t) return false;
      const read = readResult(before, windowMs);
      return typeof read !== 'string' && same(read, w);
    });
    if (rewritten.length > 0 && rewritten.length >= (best?.explained ?? 0)) best = { cause: 'rewritten-after-restart', explained: rewritten.length, keys: rewritten };

    // A result with count 0 is never right: a window with no counted sale has no result.
    const zero = [...differing].filter((k) => actual.get(k)?.count === 0);
    if (zero.length > 0) best = { cause: 'zero-count', explained: zero.length, keys: zero };

    const missing = [...differing].filter((k) => truth.has(k) && !actual.has(k));
    // Results where no sale belongs that no model explains: the window start is computed wrongly.
    const misplaced = [...differing].filter((k) => !truth.has(k));
    const cause: WindowCause = arrival
      ? 'arrival-time'
      : best?.cause === 'zero-count'
        ? 'zero-count'
        : misplaced.length > 0 && !misplaced.some((k) => best?.keys.includes(k))
          ? 'misplaced-windows'
          : best
            ? best.cause
            : missing.length === differing.size
              ? unreadable.length > 0
                ? 'unreadable-results'
                : 'missing-windows'
              : 'wrong-values';

    const examples: string[] = [];
    // The windows the cause explains first, then the others, each in window order.
    const startOf = (k: string) => truth.get(k)?.windowStart ?? actual.get(k)?.windowStart ?? 0;
    const byWindow = (a: string, b: string) => startOf(a) - startOf(b) || a.localeCompare(b);
    const explainedKeys = new Set(best?.keys ?? []);
    const ordered = [...[...explainedKeys].sort(byWindow), ...[...differing].filter((k) => !explainedKeys.has(k)).sort(byWindow)];
    for (const key of firstFew(ordered, 5)) {
      const w = truth.get(key);
      const a = actual.get(key);
      const name = windowName(w?.product ?? a?.product ?? key, w?.windowStart ?? a?.windowStart ?? 0, windowMs);
      if (w === undefined) examples.push(`${name}: a result (${describe(a)}) where no sale belongs`);
      else examples.push(`${name}: expected ${describe(w)}, the latest result says ${describe(a)}`);
    }
    for (const text of firstFew(unreadable, 2)) examples.push(`unreadable result: ${text}`);
    examples.push(...evidenceFor(cause, sales, kill, windowMs, graceMs, [...actual.values()], best?.keys ?? []));

    const wrongCount = [...differing].filter((k) => truth.has(k) && actual.has(k)).length;
    const extra = [...differing].filter((k) => !truth.has(k)).length;
    const parts = [
      missing.length > 0 ? `${countOf(missing.length, graded.length, 'closed window')} had no result` : '',
      wrongCount > 0 ? `${countOf(wrongCount, graded.length, 'closed window')} had another count or sum` : '',
      extra > 0 ? `${extra} result${extra === 1 ? '' : 's'} for windows no sale falls in` : '',
      unreadable.length > 0 ? `${unreadable.length} result${unreadable.length === 1 ? '' : 's'} could not be read` : '',
    ].filter((p) => p !== '');
    return { title, status: 'fail', expected, observed: parts.join('; '), examples, cause };
  },
};

/** One line of the evidence behind the cause, after the windows. */
function evidenceFor(cause: WindowCause, sales: readonly Sale[], kill: Operation | undefined, windowMs: number, graceMs: number, written: readonly WindowResult[], keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const copies: Sale[] = [];
  for (const sale of sales) {
    if (seen.has(sale.saleId)) copies.push(sale);
    seen.add(sale.saleId);
  }
  const times = sales.map((s) => s.eventTime);
  switch (cause) {
    case 'lost-at-restart':
      return kill ? [`your program was killed at ${seconds(kill.t)} and restarted; open then: ${firstFew(keys, 5).join(', ')}`] : [];
    case 'rewritten-after-restart':
      return kill ? [`your program was killed at ${seconds(kill.t)} and restarted; closed and right before then: ${firstFew(keys, 5).join(', ')}`] : [];
    case 'zero-count':
      return [`results with count 0: ${firstFew(keys, 5).join(', ')}`];
    case 'missed-first':
      return [`${sales.filter((s) => s.prefill).length} sales were on the topic before your program started`];
    case 'duplicates-counted':
      return [`the lab sent ${copies.length} sales twice (same saleId), e.g. ${copies[0]?.saleId ?? ''}`];
    case 'arrival-time':
      return [`the sales happened between ${iso(Math.min(...times))} and ${iso(Math.max(...times))} (UTC), minutes before the lab sent them; your windows start at ${[...new Set(written.map((w) => iso(w.windowStart)))].sort().slice(0, 3).join(', ')}: when they arrived`];
    case 'closes-past-boundary': {
      // The sales that brought stream time to exactly a window's end + grace.
      let streamTime = Number.NEGATIVE_INFINITY;
      const boundary = sales.filter((s) => {
        const reaches = s.eventTime > streamTime && (((s.eventTime - graceMs) % windowMs) + windowMs) % windowMs === 0;
        streamTime = Math.max(streamTime, s.eventTime);
        return reaches;
      });
      return boundary.length > 0 ? [`stream time reached exactly a window's end + ${graceMs / 1000} s with ${boundary.map((s) => `${s.product} at ${iso(s.eventTime)}`).join(', ')}: that window was closed then`] : [];
    }
    case 'inclusive-end':
      return [`sales at exactly a window's end: ${sales.filter((s) => s.eventTime % windowMs === 0).map((s) => `${s.product} at ${iso(s.eventTime)}`).join(', ')}`];
    default:
      return [];
  }
}
