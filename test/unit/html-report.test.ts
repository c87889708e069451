// report.html over a literal run result and a literal history: what a learner must find in it,
// and that the learner's output cannot inject anything into the page.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunDir, resultFromJson } from '../../src/cli/commands/report.js';
import { UsageError } from '../../src/errors.js';
import { latencyOf, toHtmlReport } from '../../src/reporters/html.js';
import { toResultsJson } from '../../src/reporters/results-json.js';
import type { History, Operation } from '../../src/runner/history.js';
import type { RunResult } from '../../src/runner/run.js';

const history: History = [
  { t: 100, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 11, start: 1 } },
  { t: 200, process: 'learner-2', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 12, start: 1 } },
  { t: 1000, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key: 'task-1', partition: 0, offset: '0' },
  { t: 1000, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key: 'task-2', partition: 1, offset: '0' },
  { t: 1000, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key: 'task-3', partition: 1, offset: '1' },
  { t: 1000, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key: 'task-4', partition: 0, offset: '1' },
  { t: 1100, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'api', key: 'task-1', attempt: 1, value: { instance: 1, status: 200 } },
  { t: 1200, process: 'downstream', kind: 'call', outcome: 'fail', stream: 'api', key: 'task-3', attempt: 1, value: { instance: 2, status: 503 } },
  { t: 1250, process: 'nemesis', kind: 'fault', outcome: 'ok', key: 'task-4', value: { fault: 'kill-learner', phase: 'start', instance: 1, signal: 'SIGKILL', duringCall: 3 } },
  { t: 1251, process: 'downstream', kind: 'call', outcome: 'info', stream: 'api', key: 'task-4', attempt: 1, value: { instance: 1, note: 'caller killed mid-call' } },
  { t: 1260, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'exit', code: null, signal: 'SIGKILL', byLab: true } },
  { t: 1300, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'api', key: 'task-2', attempt: 1, value: { instance: 2, status: 200 } },
  { t: 1500, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'api', key: 'task-3', attempt: 2, value: { instance: 2, status: 200 } },
  { t: 1760, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 13, start: 2 } },
  { t: 1760, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', phase: 'heal', instance: 1, restarted: true } },
  { t: 2000, process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', key: 'task-5', value: { reason: 'delivery_limit' } },
];

const result: RunResult = {
  runId: '20260101-120000-abcd-rabbitmq-retry-worker',
  exercise: 'rabbitmq-retry-worker',
  title: 'RabbitMQ worker: acks, retries, dead letters',
  solution: 'labs/rabbitmq-retry-worker/worker.ts',
  verdict: 'fail',
  summary: '1 of 2 checks failed: no-lost-messages',
  checks: [
    { name: 'manual-ack', title: 'Acknowledges messages manually', status: 'pass', expected: 'noAck: false', observed: 'every consumer acks', examples: [], weight: 1 },
    {
      name: 'no-lost-messages',
      title: 'Every task gets through',
      status: 'fail',
      expected: 'all 4 tasks are processed',
      observed: '1 of 4 tasks never got through',
      examples: ['task-4 <script>alert("pwned")</script>', 'see https://example.invalid/x & "quotes"'],
      hint: 'Ack after the work: <b>not</b> before',
      weight: 3,
    },
  ],
  score: { earned: 1, max: 4 },
  durationMs: 2345,
  runDir: '/tmp/brokerlab-runs/20260101-120000-abcd-rabbitmq-retry-worker',
  notes: ['learner-1 exited on its own (code 1) at 9.9s; see learner-1.stderr.log'],
  history,
};

describe('report.html', () => {
  const html = toHtmlReport(result, history);

  it('leads with the verdict, the score, the duration and what was graded', () => {
    expect(html).toContain('<title>NOT YET · RabbitMQ worker: acks, retries, dead letters · brokerlab</title>');
    expect(html).toContain('data-verdict="fail"');
    expect(html).toContain('1/4');
    expect(html).toContain('2.3 s');
    expect(html).toContain('labs/rabbitmq-retry-worker/worker.ts');
  });

  it('has one row per check with its status, expected, observed and hint', () => {
    expect(html.match(/<article class="check /g)).toHaveLength(2);
    expect(html).toContain('Acknowledges messages manually');
    expect(html).toContain('Every task gets through');
    expect(html).toContain('<span class="badge fail">FAIL</span>');
    expect(html).toContain('1 of 4 tasks never got through');
    expect(html).toContain('Ack after the work: &lt;b&gt;not&lt;/b&gt; before');
  });

  it('escapes the learner\'s output', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('&amp; &quot;quotes&quot;');
  });

  it('loads nothing: no script, no external reference, a CSP that forbids both', () => {
    // The only URL in the page is the one quoted (escaped) from a check's example.
    expect(html.replace('https://example.invalid/x', '')).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('draws a timeline with lanes, lifelines and the fault and its heal marked', () => {
    expect(html).toContain('<svg');
    for (const lane of ['produced', 'processed', 'failed', 'unknown', 'dead-letter']) expect(html).toContain(`data-lane="${lane}"`);
    expect(html).toContain('data-process="learner-1"');
    expect(html).toContain('data-fault="SIGKILL learner-1"');
    expect(html).toContain('>SIGKILL learner-1</text>');
    expect(html).toContain('>restarted learner-1</text>');
    expect(html).toContain('during call #3 (task-4)');
    expect(html).toContain('learner-1 killed by SIGKILL by the lab at 1.3 s');
  });

  it('reports latency percentiles from first send to first success', () => {
    expect(latencyOf(history)).toEqual({ sent: 4, values: [100, 300, 500], slowest: [{ key: 'task-3', ms: 500 }, { key: 'task-2', ms: 300 }, { key: 'task-1', ms: 100 }] });
    expect(html).toContain('3 of 4 sent messages');
    expect(html).toMatch(/<td class="num">300 ms<\/td><td class="num">500 ms<\/td><td class="num">500 ms<\/td><td class="num">500 ms<\/td>/);
  });

  it('shows the spread over partitions and consumers, and leaves out sections without data', () => {
    expect(html).toContain('Per partition');
    expect(html).toContain('<td>partition 1</td><td class="num">2</td>');
    expect(html).toContain('Per consumer');
    expect(html).toMatch(/<td>learner-2<\/td><td class="num">2<\/td><td class="num">1<\/td>/);
    const noPartitions = toHtmlReport(result, history.map(({ partition: _p, ...op }) => op as Operation));
    expect(noPartitions).not.toContain('Per partition');
    expect(noPartitions).toContain('Per consumer');
    const empty = toHtmlReport({ ...result, verdict: 'unknown', checks: [], summary: 'the lab lost Kafka' }, []);
    expect(empty).not.toContain('Latency');
    expect(empty).not.toContain('Distribution');
    expect(empty).toContain('No check could run: the lab lost Kafka');
  });

  it('lists the notes and the artifacts', () => {
    expect(html).toContain('learner-1 exited on its own (code 1)');
    for (const file of ['results.json', 'history.jsonl', 'junit.xml', 'run.json', 'learner-2.stderr.log']) expect(html).toContain(`href="${file}"`);
  });

  it('stays small with thousands of events: counted per time slice, not drawn one by one', () => {
    const busy: Operation[] = [];
    for (let i = 0; i < 20_000; i++) {
      busy.push({ t: i * 3, process: 'lab', kind: 'produce', outcome: 'ok', key: `k${i}`, partition: i % 6 });
      busy.push({ t: i * 3 + 40, process: 'downstream', kind: 'call', outcome: 'ok', key: `k${i}`, value: { instance: (i % 3) + 1 } });
    }
    const big = toHtmlReport(result, busy);
    expect(big.match(/class="ev"/g)?.length ?? 0).toBeLessThan(2 * 300);
    expect(big.length).toBeLessThan(300_000);
    expect(big).toContain('20000 of 20000 sent messages');
  });
});

describe('report.html of a load test', () => {
  // 100/s for 2 s, kept up (accepted 30 ms after each order); then 200/s, 600 ms late.
  const load: Operation[] = [{ t: 0, process: 'lab', kind: 'observe', outcome: 'ok', key: 'load-plan', value: { rate: 100, boundMs: 250, sentStream: 'orders', doneStream: 'status-api', phases: [{ name: 'sustain', rate: 100, plannedMs: 2_000 }, { name: 'step-200', rate: 200, plannedMs: 1_000 }] } }];
  load.push({ t: 1_000, process: 'lab', kind: 'phase', outcome: 'ok', key: 'sustain' }, { t: 3_000, process: 'lab', kind: 'phase', outcome: 'ok', key: 'step-200' }, { t: 4_000, process: 'lab', kind: 'phase', outcome: 'ok', key: 'drain' });
  for (let i = 0; i < 400; i++) {
    const [t, phase, late] = i < 200 ? [1_000 + i * 10, 'sustain', 30] : [3_000 + (i - 200) * 5, 'step-200', 600];
    load.push({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key: `order-${i}`, value: { phase } });
    load.push({ t: t + late, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'status-api', key: `order-${i}`, attempt: 1, value: { instance: 1, arrivedAt: t + late - 5, request: i, batch: 1 } });
  }
  load.sort((a, b) => a.t - b.t);

  it('charts orders per second and p99 against the bound, a row per phase, and names the knee', () => {
    const html = toHtmlReport({ ...result, history: load }, load);
    expect(html).toContain('<h2>Load');
    expect(html).toContain('class="offered"');
    expect(html).toContain('class="bound"');
    expect(html).toMatch(/<td>sustain<\/td><td class="num">100\/s<\/td>/);
    expect(html).toContain('Kept up at 100/s, not at 200/s: the knee is in between.');
  });

  it('has no load section without a plan', () => {
    expect(toHtmlReport(result, history)).not.toContain('<h2>Load');
  });
});

describe('brokerlab report: finding the run and rebuilding old reports', () => {
  it('rebuilds a run result from results.json, expected/observed/hint included', () => {
    const rebuilt = resultFromJson(toResultsJson(result), '/somewhere', history);
    expect(rebuilt.title).toBe('RabbitMQ worker: acks, retries, dead letters');
    expect(rebuilt.checks[1]).toEqual(result.checks[1]);
    expect(rebuilt.checks[0]).toMatchObject({ name: 'manual-ack', status: 'pass', weight: 1, expected: '' });
  });

  it('resolves a run id, a directory and latest; an unknown run lists the newest three', () => {
    const runs = mkdtempSync(path.join(tmpdir(), 'brokerlab-report-'));
    for (const id of ['20260101-000001-aaaa-x', '20260101-000002-bbbb-x', '20260101-000003-cccc-x', '20260101-000004-dddd-x']) mkdirSync(path.join(runs, id));
    expect(resolveRunDir('20260101-000002-bbbb-x', runs)).toBe(path.join(runs, '20260101-000002-bbbb-x'));
    expect(resolveRunDir(path.join(runs, '20260101-000001-aaaa-x'), runs)).toBe(path.join(runs, '20260101-000001-aaaa-x'));
    expect(() => resolveRunDir('nope', runs)).toThrow(UsageError);
    expect(() => resolveRunDir('nope', runs)).toThrow(/newest: 20260101-000004-dddd-x, 20260101-000003-cccc-x, 20260101-000002-bbbb-x\)$/);
    expect(() => resolveRunDir(undefined, runs)).toThrow(/no latest run/);
  });
});

describe('the timeline with a broker node fault', () => {
  it('names the Kafka node a kill-broker-node acted on, and its restart', () => {
    const nodeHistory: History = [
      ...history,
      { t: 2100, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-broker-node', id: 0, phase: 'start', node: 2, signal: 'SIGKILL' } },
      { t: 2500, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-broker-node', id: 0, phase: 'heal', node: 2, restarted: true } },
    ];
    const page = toHtmlReport(result, nodeHistory);
    expect(page).toContain('>SIGKILL Kafka node 2</text>');
    expect(page).toContain('>restarted Kafka node 2</text>');
  });
});
