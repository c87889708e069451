/**
 * Week 7, comparing brokers (workloads/compare-brokers.ts): the learner's measurement of one
 * stated workload per broker, against the broker-side evidence and the lab's own measurement.
 *
 * Definitions:
 * - plan: the observation `compare-plan`: the brokers, messages per broker, their size, the
 *   burst and the interval between bursts.
 * - lab numbers: the observation `compare-lab`: the lab's own count, throughput, p50 and p99
 *   per broker, measured in the same run right before the program started.
 * - results: the observation `compare-results`: the program's RESULTS_FILE, a JSON object with
 *   one object per broker holding the numbers `count`, `throughput` (msg/s), `p50` and `p99`
 *   (milliseconds).
 * - evidence: the observations `compare-evidence`, one per broker, read after the program
 *   stopped: messages published under the run's names, sizes unlike the plan's, messages
 *   consumed (null: no consumer group / queue), entries pending (taken, never acked), and on
 *   RabbitMQ messages delivered with auto-ack (null: its statistics did not catch up).
 * - within tolerance: learner / lab at most `above`, at least 1/`below` (when given), and the
 *   learner's value at least `floorMs` (when given). p99 takes a floor instead of a lower
 *   ratio: another client library (a faster language) may well beat the lab's Node client,
 *   and the lab's own p99 jumps tenfold on a loaded machine, while the mistakes (the publish
 *   call timed alone, seconds for milliseconds) land under a millisecond: no burst of the
 *   workload goes through a broker that fast (correct programs measured 7.6 ms and up).
 *
 * - consistent latencies: p50 and p99 both >= 0, p99 at most CLOCK_LIMIT_MS (no run of the
 *   workload lasts days: a latency that long, or a negative one, is a receive time minus a
 *   publish time taken from two different clocks), and p50 <= p99.
 * - ran there: a broker whose evidence shows the plan's messages published under the run's
 *   names (the numbers for that broker may have come from this run's workload).
 *
 * compare-results passes when the file exists and holds, for every broker of the plan, the
 * four numbers (finite; count and throughput >= 0) with consistent latencies and count = the
 * plan's messages; else fails with: no-file, not-json, missing-broker, not-numbers,
 * clock-mismatch (a negative or days-long p50/p99), p50-above-p99, wrong-count (in that
 * order of precedence).
 * compare-evidence passes when every broker got exactly the plan's messages, of the plan's
 * size, all consumed and none pending; else fails with, for the first broker that did not:
 * not-run (nothing published), wrong-count (some, not the plan's number), wrong-size,
 * not-consumed (fewer consumed than published), not-acked (pending entries), auto-ack
 * (RabbitMQ's statistics show messages delivered without an ack); when no broker failed so,
 * measured-at-once when a broker's messages were published, a burst's worth or more, while
 * another's were (Kafka's record timestamps inside the Redis stream's first-to-last entry
 * ids). One exception:
 * when the only shortfall is Redis's group having read nothing while the program reports
 * having received every Redis message (count = the plan's), the cause is no-group-read (it
 * read the stream without the group: XREAD).
 * compare-throughput and compare-p99 judge each broker the results give with numbers (a
 * missing one is compare-results' to report; compare-p99 leaves out a clock-mismatch) that
 * the workload ran on; fail when one is out of tolerance of the lab's, with far-below or
 * far-above (compare-throughput: unpaced, as evidence shows the run happened and the bursts
 * cap what it can reach), for the broker furthest off; else unknown when a broker of the
 * plan has no evidence that the workload ran there (no points for numbers the run did not
 * produce) or nothing is left to judge, or without the lab's numbers; else pass.
 */
import type { History } from '../runner/history.js';
import { type CompareNumbers, type ComparePlan, lastObservation, observationsOf } from '../runner/observations.js';
import { type CheckDefinition, num } from './types.js';

const FIELDS = ['count', 'throughput', 'p50', 'p99'] as const;
/** A latency above this (about 11.6 days) cannot come from one run of the workload. */
export const CLOCK_LIMIT_MS = 1e9;

export const RESULTS_CAUSES = {
  'no-file': 'Write RESULTS_FILE once every broker is measured (all at once: write a temporary file and rename it), then keep running.',
  'not-json': 'RESULTS_FILE must hold one JSON object: {"redis": {...}, "rabbitmq": {...}, "kafka": {...}}.',
  'missing-broker': 'Measure every broker of the exercise and give each its own object in RESULTS_FILE.',
  'not-numbers': 'Each broker\'s object needs the numbers count, throughput, p50 and p99 (plain JSON numbers, not strings).',
  'clock-mismatch': 'A latency below zero or days long is a receive time minus a publish time from two different clocks: take both from the same one (Date.now() on both sides, or time.time() on both sides), in milliseconds.',
  'p50-above-p99': 'p50 is above p99: sort the latencies as numbers before taking the percentiles (JavaScript\'s sort() without a comparator sorts as text).',
  'wrong-count': 'count is how many messages your consumer received: all of the workload\'s messages, no more.',
} as const;

export const EVIDENCE_CAUSES = {
  'not-run': 'Nothing reached this broker under the run\'s names: publish the workload to the names the README gives (the lab reads them afterwards).',
  'wrong-count': 'Publish exactly the workload\'s number of messages to each broker, once.',
  'wrong-size': 'Every message must be exactly the workload\'s size in bytes.',
  'not-consumed': 'Consume every message through the consumer the README names (the group, the queue), and commit or ack it: a measurement without the consume side is not end to end.',
  'not-acked': 'Acknowledge every entry your consumer read (XACK), or the group keeps it pending.',
  'auto-ack': 'Consume with manual acks (no auto-ack / noAck): acknowledge each message once your consumer has it, or the broker forgets it before it is processed.',
  'measured-at-once': 'Measure one broker after the other: brokers measured at the same time share the machine and slow each other down, so neither number is that broker\'s.',
  'no-group-read': 'Your program received the Redis messages, but not through the consumer group: read with XREADGROUP and the group the README names (XREAD ignores groups), then XACK.',
} as const;

export const COMPARE_CAUSES = {
  'far-below': 'Far below what the lab measured for the same workload: latency must be end to end (consume time minus the publish time carried in the message), in milliseconds; throughput in messages per second.',
  'far-above': 'Far above what the lab measured for the same workload: report what your program measured, in the README\'s units, not numbers from elsewhere.',
  'unpaced': 'Far above what the paced workload allows, on a broker that saw your run: pace the bursts (burst k starts k x the interval after the first) and measure from the first publish to the last consume.',
} as const;

interface ToleranceParams {
  /** The learner's value may be down to the lab's divided by this... */
  below?: number;
  /** ...and up to the lab's times this. */
  above: number;
  /** p99 only: a value at least this high is never "far below". */
  floorMs?: number;
}

function planOf(history: History): ComparePlan | undefined {
  return lastObservation(history, 'compare-plan');
}

type Parsed =
  | { ok: Record<string, CompareNumbers> }
  | { cause: keyof typeof RESULTS_CAUSES; observed: string; examples: string[]; usable: Record<string, CompareNumbers>; inconsistent: string[] };

/** Why a broker's p50 and p99 cannot be a measurement of this run, if they cannot. */
function latencyProblem(n: CompareNumbers): 'clock-mismatch' | 'p50-above-p99' | undefined {
  if (n.p50 < 0 || n.p99 < 0 || n.p50 > CLOCK_LIMIT_MS || n.p99 > CLOCK_LIMIT_MS) return 'clock-mismatch';
  if (n.p50 > n.p99) return 'p50-above-p99';
  return undefined;
}

/** The results file, judged against the plan (pure). `usable`: the brokers with four
 *  numbers; `inconsistent`: those of them whose latencies came from two clocks (no p99 to
 *  compare with the lab's). */
export function parseResults(history: History): Parsed {
  const plan = planOf(history);
  const results = lastObservation(history, 'compare-results');
  if (!plan || !results || !results.exists) return { cause: 'no-file', observed: 'RESULTS_FILE was not written within the wait', examples: [], usable: {}, inconsistent: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(results.text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { cause: 'not-json', observed: 'RESULTS_FILE does not hold a JSON object', examples: [results.text.slice(0, 200)], usable: {}, inconsistent: [] };
  const all = parsed as Record<string, unknown>;
  const missing = plan.brokers.filter((b) => typeof all[b] !== 'object' || all[b] === null);
  const ok: Record<string, CompareNumbers> = {};
  const bad: string[] = [];
  const wrongCount: string[] = [];
  const problems: Record<'clock-mismatch' | 'p50-above-p99', string[]> = { 'clock-mismatch': [], 'p50-above-p99': [] };
  const inconsistent: string[] = [];
  for (const broker of plan.brokers.filter((b) => !missing.includes(b))) {
    const entry = all[broker] as Record<string, unknown>;
    // A negative latency is a number: its own cause (clock-mismatch) says what went wrong.
    const wrong = FIELDS.filter((f) => typeof entry[f] !== 'number' || !Number.isFinite(entry[f]) || ((f === 'count' || f === 'throughput') && (entry[f] as number) < 0));
    if (wrong.length > 0) {
      bad.push(`${broker}: ${wrong.map((f) => `${f} = ${JSON.stringify(entry[f])}`).join(', ')}`);
      continue;
    }
    const numbers = entry as unknown as CompareNumbers;
    const problem = latencyProblem(numbers);
    if (problem) problems[problem].push(`${broker}: p50 ${numbers.p50} ms, p99 ${numbers.p99} ms`);
    if (problem === 'clock-mismatch') inconsistent.push(broker);
    if (numbers.count !== plan.messages) wrongCount.push(`${broker}: count ${numbers.count}`);
    ok[broker] = numbers;
  }
  const fail = (cause: keyof typeof RESULTS_CAUSES, observed: string, examples: string[]): Parsed => ({ cause, observed, examples, usable: ok, inconsistent });
  if (missing.length > 0) return fail('missing-broker', `RESULTS_FILE has no object for ${missing.join(', ')}`, [`keys found: ${Object.keys(all).join(', ') || '(none)'}`]);
  if (bad.length > 0) return fail('not-numbers', `${bad.length} broker(s) without the four numbers`, bad);
  if (problems['clock-mismatch'].length > 0) return fail('clock-mismatch', `${problems['clock-mismatch'].length} broker(s) with a latency below 0 or above ${CLOCK_LIMIT_MS} ms (${(CLOCK_LIMIT_MS / 86_400_000).toFixed(1)} days)`, problems['clock-mismatch']);
  if (problems['p50-above-p99'].length > 0) return fail('p50-above-p99', `p50 above p99 for ${problems['p50-above-p99'].length} broker(s)`, problems['p50-above-p99']);
  if (wrongCount.length > 0) return fail('wrong-count', `count is not ${plan.messages} for ${wrongCount.length} broker(s)`, wrongCount);
  return { ok };
}

export const compareResults: CheckDefinition<Record<string, never>> = {
  name: 'compare-results',
  causes: RESULTS_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const plan = planOf(history);
    const title = 'RESULTS_FILE holds every broker\'s numbers';
    const expected = `a JSON object with ${plan ? plan.brokers.join(', ') : 'every broker'}, each {count: ${plan?.messages ?? 'N'}, throughput, p50, p99}`;
    const r = parseResults(history);
    if ('ok' in r) return { title, status: 'pass', expected, observed: `${Object.keys(r.ok).length} brokers, each with its four numbers`, examples: [] };
    return { title, status: 'fail', expected, observed: r.observed, examples: r.examples, cause: r.cause };
  },
};

export const compareEvidence: CheckDefinition<Record<string, never>> = {
  name: 'compare-evidence',
  causes: EVIDENCE_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const plan = planOf(history);
    const title = 'Each broker saw the workload run, consume side included';
    const evidence = observationsOf(history, 'compare-evidence').map((op) => op.value);
    if (!plan || evidence.length === 0) return { title, status: 'unknown', expected: 'the brokers\' state after the run', observed: 'the lab could not read the brokers after the run', examples: [] };
    const expected = `on each broker ${plan.messages} messages of ${plan.size} B published under the run's names, all consumed and acknowledged`;
    const failures: Array<{ cause: keyof typeof EVIDENCE_CAUSES; broker: string; text: string }> = [];
    const where: Record<string, string> = { redis: 'the stream BENCH_STREAM', rabbitmq: 'the exchange BENCH_EXCHANGE', kafka: 'the topic BENCH_TOPIC' };
    for (const e of evidence) {
      const fail = (cause: keyof typeof EVIDENCE_CAUSES, text: string) => failures.push({ cause, broker: e.broker, text: `${e.broker}: ${text}` });
      if (e.published === 0) fail('not-run', `nothing published to ${where[e.broker] ?? 'its names'}`);
      else if (e.published !== plan.messages) fail('wrong-count', `${e.published} published, not ${plan.messages}`);
      else if (e.wrongSizes.length > 0) fail('wrong-size', `messages of ${e.wrongSizes.join(', ')} B (${plan.size} B expected; -1: not one field "m")`);
      else if (e.consumed === null || e.consumed < e.published) fail('not-consumed', `${e.published} published, ${e.consumed ?? 0} consumed${e.consumed === null ? ' (no consumer group / queue)' : ''}`);
      else if (e.pending > 0) fail('not-acked', `${e.pending} read but never acknowledged`);
      else if ((e.autoAcked ?? 0) > 0) fail('auto-ack', `${e.autoAcked} of ${e.consumed} delivered with auto-ack (the broker dropped each as it sent it, no ack from your consumer)`);
    }
    // Brokers measured at the same time: records of one timestamped while another was being
    // filled (a burst's worth or more: a boundary millisecond shared by chance is not that).
    if (failures.length === 0) {
      for (const e of evidence) {
        for (const [other, n] of Object.entries(e.publishedDuring ?? {})) {
          if (n >= plan.burst) failures.push({ cause: 'measured-at-once', broker: e.broker, text: `${e.broker}: ${n} of its ${e.published} messages published while ${other}'s were (by ${e.broker}'s record timestamps and ${other}'s entry ids)` });
        }
      }
    }
    const observed = evidence.map((e) => `${e.broker} ${e.published} published, ${e.consumed ?? 'none'} consumed${e.pending > 0 ? `, ${e.pending} pending (never acknowledged)` : ''}${(e.autoAcked ?? 0) > 0 ? `, ${e.autoAcked} with auto-ack` : ''}`).join('; ');
    const first = failures[0];
    if (!first) return { title, status: 'pass', expected, observed, examples: [] };
    // The group read nothing, yet the program says it received every Redis message: it read
    // the stream itself (XREAD), not through the group.
    const r = parseResults(history);
    const reported = ('ok' in r ? r.ok : r.usable).redis;
    const redis = evidence.find((e) => e.broker === 'redis');
    const cause = failures.length === 1 && first.broker === 'redis' && first.cause === 'not-consumed' && redis?.consumed === 0 && reported?.count === plan.messages ? 'no-group-read' : first.cause;
    const examples = failures.map((f) => (cause === 'no-group-read' ? `${f.text}, yet RESULTS_FILE says your consumer received ${plan.messages}` : f.text));
    return { title, status: 'fail', expected, observed, examples, cause };
  },
};

function parseTolerance(raw: Record<string, unknown>): ToleranceParams {
  const below = raw.below === undefined ? undefined : num(raw, 'below');
  const above = num(raw, 'above');
  if ((below !== undefined && below <= 1) || above <= 1) throw new Error('"below" and "above" must be above 1');
  if (below === undefined && raw.floorMs === undefined) throw new Error('give "below", "floorMs" or both');
  return { ...(below === undefined ? {} : { below }), above, ...(raw.floorMs === undefined ? {} : { floorMs: num(raw, 'floorMs') }) };
}

/** One metric of the learner's against the lab's, every broker (pure). */
function compareMetric(history: History, p: ToleranceParams, metric: 'throughput' | 'p99', unit: string): Omit<ReturnType<CheckDefinition<ToleranceParams>['run']>, 'title'> {
  const lab = lastObservation(history, 'compare-lab');
  const lower = [p.below !== undefined ? `at least 1/${p.below} of` : undefined, p.floorMs !== undefined ? `at least ${p.floorMs} ${unit}` : undefined].filter(Boolean).join(' and ');
  const expected = `your ${metric} per broker ${lower} and at most ${p.above} times the lab's own measurement of the same workload`;
  const r = parseResults(history);
  const plan = planOf(history);
  // A broker missing from the file is compare-results' to report; so are latencies that
  // cannot be (compare-p99 leaves them out). The others are judged here, but only where the
  // broker saw the workload run: numbers the run did not produce earn nothing.
  const mine = 'ok' in r ? r.ok : r.usable;
  const inconsistent = 'ok' in r ? [] : r.inconsistent;
  const ran = new Set(observationsOf(history, 'compare-evidence').filter((op) => plan !== undefined && op.value.published === plan.messages).map((op) => op.value.broker));
  const notRun = (plan?.brokers ?? []).filter((b) => !ran.has(b));
  const brokers = Object.keys(mine).filter((b) => lab?.numbers[b] !== undefined && ran.has(b) && !(metric === 'p99' && inconsistent.includes(b)));
  const unjudged = notRun.length > 0 ? `${notRun.join(', ')} not judged: no evidence that this run's workload ran there (see compare-evidence)` : '';
  if (!lab) return { status: 'unknown', expected, observed: 'the lab has no measurement of its own to compare with', examples: [] };
  if (brokers.length === 0) {
    const why = Object.keys(mine).some((b) => !ran.has(b))
      ? 'no broker\'s numbers came from this run\'s workload: see compare-evidence'
      : metric === 'p99' && inconsistent.length > 0
        ? 'no p99 to compare: RESULTS_FILE\'s latencies come from two different clocks (see "RESULTS_FILE holds every broker\'s numbers")'
        : 'no usable numbers in RESULTS_FILE (see "RESULTS_FILE holds every broker\'s numbers")';
    return { status: 'unknown', expected, observed: why, examples: notRun.length > 0 ? [unjudged] : [] };
  }
  const rows = brokers.map((b) => {
    const theirs = mine[b]![metric];
    const ours = lab.numbers[b]![metric];
    const ratio = ours > 0 ? theirs / ours : Number.POSITIVE_INFINITY;
    const within = ratio <= p.above && (p.below === undefined || ratio >= 1 / p.below) && (p.floorMs === undefined || theirs >= p.floorMs);
    return { broker: b, theirs, ours, ratio, within };
  });
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2));
  const observed = rows.map((row) => `${row.broker} ${fmt(row.theirs)} ${unit} (lab ${fmt(row.ours)})`).join('; ') + (unjudged ? `; ${unjudged}` : '');
  const off = rows.filter((row) => !row.within).sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
  if (off.length === 0) {
    // Within tolerance where judged, but a broker of the plan shows no run: undecided.
    if (notRun.length > 0) return { status: 'unknown', expected, observed, examples: [unjudged] };
    return { status: 'pass', expected, observed, examples: [] };
  }
  const worst = off[0]!;
  const examples = off.map((row) => `${row.broker}: yours ${fmt(row.theirs)} ${unit}, the lab's ${fmt(row.ours)} ${unit} (${row.ratio >= 1 ? `${fmt(row.ratio)}x` : `1/${fmt(1 / row.ratio)}`})`);
  // Throughput far above, on a broker that saw the run: the bursts were not paced (they cap it).
  const cause = worst.ratio < 1 ? 'far-below' : metric === 'throughput' ? 'unpaced' : 'far-above';
  return { status: 'fail', expected, observed, examples, cause };
}

export const compareThroughput: CheckDefinition<ToleranceParams> = {
  name: 'compare-throughput',
  causes: COMPARE_CAUSES,
  parseParams: parseTolerance,
  run(history, p) {
    return { title: 'Your throughput agrees with the lab\'s', ...compareMetric(history, p, 'throughput', 'msg/s') };
  },
};

export const compareP99: CheckDefinition<ToleranceParams> = {
  name: 'compare-p99',
  causes: COMPARE_CAUSES,
  parseParams: parseTolerance,
  run(history, p) {
    return { title: 'Your p99 latency agrees with the lab\'s', ...compareMetric(history, p, 'p99', 'ms') };
  },
};
