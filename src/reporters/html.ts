/**
 * report.html: the run as one self-contained page a learner can open from the run
 * directory. Everything is inline (CSS, SVG), there is no script and a Content-Security-Policy
 * forbids loading anything, so the page works offline, with JS disabled, and stays inert
 * even though it quotes the learner's program output (all text is escaped as well).
 *
 * Sections: the verdict; the checks; a timeline of the history with faults marked; latency
 * percentiles; how messages spread over partitions and consumers; notes and artifacts.
 * A pure function of the run result and its history, so old runs can be re-rendered.
 */
import { LOAD_CSS, loadSection } from './load-chart.js';
import { percentile } from '../checks/latency.js';
import type { CheckResult } from '../checks/types.js';
import type { History, Operation } from '../runner/history.js';
import type { RunResult } from '../runner/run.js';
import { learnerEvents } from '../runner/learner-events.js';
import { callValue } from '../runner/calls.js';

export function toHtmlReport(result: RunResult, history: History): string {
  const verdict = VERDICT[result.verdict];
  const body = [
    headerSection(result),
    checksSection(result),
    timelineSection(history),
    loadSection(history),
    latencySection(history),
    distributionSection(history),
    notesSection(result, history),
    `<footer>brokerlab · run ${esc(result.runId)} · ${history.length} recorded operations (history.jsonl)</footer>`,
  ].join('\n');
  return `${pageHead()}
<title>${esc(verdict.label)} · ${esc(result.title)} · brokerlab</title>
<style>${CSS}${LOAD_CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// --- text helpers --------------------------------------------------------------------------

/**
 * The start of every page brokerlab writes (run report, class report, bench report), up to
 * the <title>. Self-contained by policy: the CSP allows no request at all, so a report opened
 * from a CI artifact or a mail attachment never fetches anything.
 */
export function pageHead(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">`;
}

/** Every piece of text goes through this: check output quotes the learner's program. */
export function esc(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function ms(value: number): string {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
}

function secs(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const VERDICT: Record<RunResult['verdict'], { label: string; cls: string }> = {
  pass: { label: 'PASSED', cls: 'pass' },
  fail: { label: 'NOT YET', cls: 'fail' },
  unknown: { label: 'UNDECIDED', cls: 'unknown' },
  error: { label: 'ERROR', cls: 'error' },
};

const STATUS: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' };

// --- header and checks -----------------------------------------------------------------------

function headerSection(r: RunResult): string {
  const v = VERDICT[r.verdict];
  const share = r.score.max > 0 ? Math.round((100 * r.score.earned) / r.score.max) : 0;
  return `<header class="run ${v.cls}">
  <div class="verdict ${v.cls}" data-verdict="${r.verdict}">${esc(v.label)}</div>
  <div class="what">
    <h1>${esc(r.title)} <span class="id">${esc(r.exercise)}</span></h1>
    <p class="summary">${esc(r.summary)}</p>
    <dl class="facts">
      <div><dt>score</dt><dd><span class="score">${r.score.earned}/${r.score.max}</span> <span class="meter"><span style="width:${share}%"></span></span></dd></div>
      <div><dt>duration</dt><dd>${secs(r.durationMs)}</dd></div>
      <div><dt>graded</dt><dd><code>${esc(r.solution)}</code></dd></div>
      <div><dt>run</dt><dd><code>${esc(r.runId)}</code></dd></div>
    </dl>
  </div>
</header>`;
}

function checksSection(r: RunResult): string {
  if (r.checks.length === 0) {
    return `<section><h2>Checks</h2><p class="empty">No check could run: ${esc(r.summary)}</p></section>`;
  }
  const passed = r.checks.filter((c) => c.status === 'pass').length;
  const rows = r.checks.map((c) => {
    const examples = c.examples.length > 0 ? `<ul class="examples">${c.examples.map((e) => `<li><code>${esc(e)}</code></li>`).join('')}</ul>` : '';
    // A passed check needs no hint: the hint explains how to fix a failure.
    const hint = c.hint && c.status !== 'pass' ? `<p class="hint"><strong>Hint</strong> ${esc(c.hint)}</p>` : '';
    const points = `${c.status === 'pass' ? c.weight : 0}/${c.weight}`;
    // Rebuilt reports of old runs have no expected/observed for passed checks (results.json
    // keeps them only for failures): leave out what is empty rather than show blank rows.
    const facts = [['expected', c.expected], ['observed', c.observed]].filter(([, text]) => text);
    const eo = facts.length > 0 ? `<dl class="eo">${facts.map(([label, text]) => `<dt>${label}</dt><dd>${esc(text)}</dd>`).join('')}</dl>` : '';
    return `<article class="check ${c.status}" data-check="${esc(c.name)}">
  <div class="check-head"><span class="badge ${c.status}">${STATUS[c.status]}</span><h3>${esc(c.title)}</h3><code class="name">${esc(c.name)}</code><span class="points">${points}</span></div>
  ${eo}${examples}${hint}
</article>`;
  });
  return `<section><h2>Checks <span class="muted">${passed} of ${r.checks.length} passed</span></h2>\n${rows.join('\n')}\n</section>`;
}

// --- timeline ---------------------------------------------------------------------------------

type LaneId = 'produced' | 'processed' | 'failed' | 'unknown' | 'dead-letter';

const LANES: ReadonlyArray<{ id: LaneId; label: string; help: string }> = [
  { id: 'produced', label: 'sent by the lab', help: 'messages the lab produced into the broker' },
  { id: 'processed', label: 'processed', help: 'messages your program processed: calls that succeeded, outputs the lab received' },
  { id: 'failed', label: 'failed', help: 'calls that failed (the service answered with an error), sends that failed' },
  { id: 'unknown', label: 'unknown outcome', help: 'operations whose outcome is unknown, e.g. a call whose caller was killed before the answer' },
  { id: 'dead-letter', label: 'dead-lettered', help: 'messages the lab found in the dead-letter queue (collected after the run)' },
];

/** Which lane an operation is drawn in; process, fault and observe ops are drawn elsewhere
 *  or not at all (observations are the lab's own samples of broker state). */
function laneOf(op: Operation): LaneId | undefined {
  if (op.kind === 'process' || op.kind === 'fault' || op.kind === 'observe' || op.kind === 'phase') return undefined;
  if (op.outcome === 'info') return 'unknown';
  if (op.outcome === 'fail') return 'failed';
  if (op.kind === 'produce') return 'produced';
  if (op.kind === 'dead-letter') return 'dead-letter';
  return 'processed';
}

// Geometry of the SVG, in its own units (it scales to the page width).
const W = 960;
const LABEL_W = 168;
const PLOT_X = LABEL_W;
const PLOT_W = W - LABEL_W - 20;
/** Events are counted per bucket this many units wide, so thousands of events draw as at
 *  most PLOT_W / BUCKET bars per lane instead of one mark each. */
const BUCKET = 3;
const LANE_H = 30;
const LANE_GAP = 6;
const PROC_H = 20;
const LABEL_ROW_H = 16;

/** A round tick step giving at most ~12 ticks over the span. */
function tickStep(spanMs: number): number {
  for (const step of [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000]) {
    if (spanMs / step <= 12) return step;
  }
  return 1_800_000;
}

interface Segment {
  from: number;
  to: number | undefined;
  startTitle: string;
  end?: { title: string; bad: boolean; killed: boolean };
}

/** Each learner process's life: start to exit, as the lab saw it. */
function lifelines(history: History): Map<string, Segment[]> {
  const lines = new Map<string, Segment[]>();
  for (const op of learnerEvents(history)) {
    const v = op.value;
    const segments = lines.get(op.process) ?? [];
    lines.set(op.process, segments);
    const open = segments.at(-1)?.to === undefined ? segments.at(-1) : undefined;
    if (v.event === 'start') {
      if (open) open.to = op.t; // a start without a recorded exit: the old life ends here
      segments.push({ from: op.t, to: undefined, startTitle: `${op.process} started${v.pid ? ` (pid ${v.pid})` : ''} at ${secs(op.t)}` });
    } else if (v.event === 'exit' || v.event === 'spawn-error') {
      const how = v.event === 'spawn-error' ? `could not start: ${v.error}` : v.signal ? `killed by ${v.signal}` : `exited with code ${v.code}`;
      const bad = v.event === 'spawn-error' || v.byLab === false;
      const killed = v.event === 'exit' && v.signal === 'SIGKILL';
      const end = { title: `${op.process} ${how}${bad ? ' on its own' : killed ? ' by the lab' : ''} at ${secs(op.t)}`, bad, killed };
      if (open) Object.assign(open, { to: op.t, end });
      else segments.push({ from: op.t, to: op.t, startTitle: end.title, end });
    }
  }
  return new Map([...lines].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}

interface FaultMark {
  t: number;
  text: string;
  title: string;
  heal: boolean;
}

function faultMarks(history: History): FaultMark[] {
  return history
    .filter((op) => op.kind === 'fault')
    .map((op) => {
      const v = (op.value ?? {}) as { fault?: string; phase?: string; instance?: number; node?: number; broker?: string; signal?: string; restarted?: boolean; duringCall?: number; action?: 'start' | 'stop' };
      // A copy of the learner's program, or a node of a cluster (kill/pause-broker-node).
      const who = v.instance !== undefined ? `learner-${v.instance}` : v.node !== undefined ? `${v.broker === 'rabbitmq-cluster' ? 'RabbitMQ' : 'Kafka'} node ${v.node}` : '';
      const heal = v.phase === 'heal' || v.phase === 'end';
      const text = heal
        ? v.restarted
          ? `restarted ${who}`
          : v.restarted === false
            ? `${who} not restarted`
            : `healed ${who || (v.fault ?? '')}`
        : v.phase === 'hold'
          ? `holds a call of ${who}`
          : v.action !== undefined
            ? `${v.action === 'start' ? 'started' : 'stopped'} ${who}` // scale-learner's steps
            : [v.signal ?? v.fault ?? 'fault', who].filter(Boolean).join(' ');
      const during = v.duringCall !== undefined ? `, during call #${v.duringCall}${op.key ? ` (${op.key})` : ''}` : '';
      return { t: op.t, text: text.trim(), title: `${v.fault ?? 'fault'}: ${text.trim()} at ${secs(op.t)}${during}`, heal };
    });
}

function timelineSection(history: History): string {
  if (history.length === 0) return `<section><h2>Timeline</h2><p class="empty">Nothing was recorded in this run.</p></section>`;
  // reduce, not Math.max(...): a long run's history can exceed the engine's argument limit
  const span = history.reduce((max, op) => Math.max(max, op.t), 1000);
  const step = tickStep(span);
  const end = Math.ceil(span / step) * step;
  const x = (t: number) => PLOT_X + (t / end) * PLOT_W;
  const buckets = Math.floor(PLOT_W / BUCKET);
  const bucketMs = end / buckets;

  const counts = new Map<LaneId, number[]>();
  for (const op of history) {
    const lane = laneOf(op);
    if (!lane) continue;
    const row = counts.get(lane) ?? new Array<number>(buckets).fill(0);
    counts.set(lane, row);
    const i = Math.min(buckets - 1, Math.floor(op.t / bucketMs));
    row[i] = (row[i] ?? 0) + 1;
  }
  // Lanes without events are left out: an empty "dead-lettered" lane means nothing in an
  // exercise without dead letters. Sent and processed always show, as the reference points.
  const lanes = LANES.filter((l) => counts.has(l.id) || l.id === 'produced' || l.id === 'processed');
  const procs = lifelines(history);
  const marks = faultMarks(history);

  // Fault labels sit above the plot, in as many rows as they need not to overlap.
  const rowEnds: number[] = [];
  const placed = marks.map((m) => {
    const width = m.text.length * 6.6 + 8;
    const left = x(m.t) + width + 4 > W - 4 ? x(m.t) - width - 3 : x(m.t) + 3;
    let row = rowEnds.findIndex((endX) => endX < left);
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + width;
    return { ...m, row, left, width };
  });
  const top = 6 + rowEnds.length * LABEL_ROW_H + (rowEnds.length > 0 ? 4 : 0);
  const lanesH = lanes.length * (LANE_H + LANE_GAP);
  const procTop = top + lanesH;
  const plotBottom = procTop + procs.size * PROC_H + (procs.size > 0 ? LANE_GAP : 0);
  const height = plotBottom + 26;
  const out: string[] = [];
  const laneY = (index: number) => top + index * (LANE_H + LANE_GAP);

  // Drawn back to front: lane backgrounds, grid, fault lines, then the events on top, so a
  // fault line never hides the events at the moment it struck.
  lanes.forEach((lane, index) => out.push(`<rect class="band" x="${PLOT_X}" y="${laneY(index)}" width="${PLOT_W}" height="${LANE_H}"/>`));
  for (let t = 0; t <= end; t += step) {
    const tx = x(t).toFixed(1);
    out.push(`<line class="grid" x1="${tx}" y1="${top}" x2="${tx}" y2="${plotBottom}"/>`);
    out.push(`<text class="tick" x="${tx}" y="${plotBottom + 16}" text-anchor="middle">${step < 1000 ? (t / 1000).toFixed(1) : t / 1000} s</text>`);
  }
  out.push(`<line class="axis" x1="${PLOT_X}" y1="${plotBottom}" x2="${PLOT_X + PLOT_W}" y2="${plotBottom}"/>`);

  // Before the lab sends anything it waits for the learner's program to be ready; say so,
  // or a long empty stretch at the start looks like something went wrong.
  const firstSend = history.find((op) => op.kind === 'produce')?.t;
  if (firstSend !== undefined) {
    const room = x(firstSend) - PLOT_X - 16;
    const text = ['waiting until your program is ready', 'getting ready'].find((t) => t.length * 6.4 < room);
    if (text) out.push(`<text class="phase" x="${((PLOT_X + x(firstSend)) / 2).toFixed(1)}" y="${laneY(0) + LANE_H / 2 + 4}" text-anchor="middle">${text}</text>`);
  }

  // faults: a vertical line through every lane, labelled above the plot
  for (const m of placed) {
    const fx = x(m.t).toFixed(1);
    const ly = 6 + m.row * LABEL_ROW_H;
    out.push(`<g class="fault${m.heal ? ' heal' : ''}" data-fault="${esc(m.text)}"><title>${esc(m.title)}</title>`);
    out.push(`<line x1="${fx}" y1="${ly + LABEL_ROW_H / 2}" x2="${fx}" y2="${plotBottom}"/>`);
    out.push(`<rect class="flabel" x="${m.left.toFixed(1)}" y="${ly}" width="${m.width.toFixed(1)}" height="${LABEL_ROW_H - 2}" rx="3"/>`);
    out.push(`<text x="${(m.left + 4).toFixed(1)}" y="${ly + 11}">${esc(m.text)}</text>`);
    out.push('</g>');
  }

  // event lanes: one bar per bucket, its height relative to the lane's busiest bucket
  lanes.forEach((lane, index) => {
    const y = laneY(index);
    const row = counts.get(lane.id) ?? [];
    const total = row.reduce((s, n) => s + n, 0);
    const max = Math.max(1, ...row);
    out.push(`<g class="lane ${lane.id}" data-lane="${lane.id}">`);
    out.push(`<text class="lane-label" x="6" y="${y + LANE_H / 2 + 4}"><title>${esc(lane.help)}</title>${esc(lane.label)}</text>`);
    out.push(`<text class="lane-count" x="${LABEL_W - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end">${total}</text>`);
    row.forEach((n, i) => {
      if (n === 0) return;
      // A floor of 5 units keeps single events visible next to a busy bucket.
      const h = 5 + ((LANE_H - 7) * n) / max;
      const from = i * bucketMs;
      out.push(`<rect class="ev" x="${(PLOT_X + i * BUCKET).toFixed(1)}" y="${(y + LANE_H - h).toFixed(1)}" width="${BUCKET - 0.6}" height="${h.toFixed(1)}"><title>${n} ${esc(lane.label)}, ${secs(from)}–${secs(from + bucketMs)}</title></rect>`);
    });
    out.push('</g>');
  });

  // learner processes: a lifeline from start to exit, the exit marked
  [...procs].forEach(([name, segments], index) => {
    const y = procTop + index * PROC_H + PROC_H / 2;
    out.push(`<g class="proc" data-process="${esc(name)}">`);
    out.push(`<text class="lane-label" x="6" y="${y + 4}"><title>when this copy of your program was running</title>${esc(name)}</text>`);
    for (const s of segments) {
      const x1 = x(s.from);
      const x2 = x(s.to ?? end);
      out.push(`<rect class="life" x="${x1.toFixed(1)}" y="${y - 3}" width="${Math.max(2, x2 - x1).toFixed(1)}" height="6" rx="3"><title>${esc(s.startTitle)}</title></rect>`);
      out.push(`<circle class="start" cx="${x1.toFixed(1)}" cy="${y}" r="4"><title>${esc(s.startTitle)}</title></circle>`);
      if (s.end) {
        out.push(
          s.end.bad || s.end.killed
            ? `<path class="exit bad" d="M${(x2 - 4).toFixed(1)} ${y - 4}l8 8m0 -8l-8 8"><title>${esc(s.end.title)}</title></path>`
            : `<rect class="exit" x="${(x2 - 1.5).toFixed(1)}" y="${y - 6}" width="3" height="12"><title>${esc(s.end.title)}</title></rect>`,
        );
        // a wider invisible target, so the tooltip is easy to hover
        out.push(`<rect class="hit" x="${(x2 - 6).toFixed(1)}" y="${y - 8}" width="12" height="16"><title>${esc(s.end.title)}</title></rect>`);
      }
    }
    out.push('</g>');
  });

  const legend =
    (marks.some((m) => !m.heal) ? '<span class="key fault-key"></span> fault injected · ' : '') +
    (marks.some((m) => m.heal) ? '<span class="key heal-key"></span> fault healed · ' : '');
  return `<section><h2>Timeline <span class="muted">seconds since the run started</span></h2>
<figure class="timeline">
<svg viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="timeline of the run">${out.join('')}</svg>
<figcaption>${legend}bar height: events in that slice of time (${ms(bucketMs)} each), relative to the lane's busiest slice. Hover a bar or marker for details.</figcaption>
</figure></section>`;
}

// --- latency ----------------------------------------------------------------------------------

export interface LatencySummary {
  /** Keys the lab sent (produce ok). */
  sent: number;
  /** Per key: first produce ok to first consume/call ok, sorted ascending. */
  values: number[];
  slowest: Array<{ key: string; ms: number }>;
}

export function latencyOf(history: History): LatencySummary {
  const sentAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  for (const op of history) {
    if (!op.key || op.outcome !== 'ok') continue;
    if (op.kind === 'produce' && !sentAt.has(op.key)) sentAt.set(op.key, op.t);
    if ((op.kind === 'consume' || op.kind === 'call') && !doneAt.has(op.key)) doneAt.set(op.key, op.t);
  }
  const perKey: Array<{ key: string; ms: number }> = [];
  for (const [key, t0] of sentAt) {
    const t1 = doneAt.get(key);
    if (t1 !== undefined) perKey.push({ key, ms: t1 - t0 });
  }
  perKey.sort((a, b) => a.ms - b.ms);
  return { sent: sentAt.size, values: perKey.map((p) => p.ms), slowest: perKey.slice(-3).reverse() };
}

function latencySection(history: History): string {
  const l = latencyOf(history);
  if (l.values.length === 0) return '';
  const cells = [50, 90, 99].map((p) => `<td class="num">${ms(percentile(l.values, p))}</td>`).join('');
  const slowest = l.slowest.map((s) => `<code>${esc(s.key)}</code> ${ms(s.ms)}`).join(', ');
  return `<section><h2>Latency <span class="muted">from the lab sending a message to its first successful processing</span></h2>
<table class="latency"><thead><tr><th>messages</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead>
<tbody><tr><td>${l.values.length} of ${plural(l.sent, 'sent message')}</td>${cells}<td class="num">${ms(l.values.at(-1) ?? 0)}</td></tr></tbody></table>
<p class="muted small">slowest: ${slowest}${l.values.length < l.sent ? ` · ${l.sent - l.values.length} never processed successfully (see the checks)` : ''}</p>
</section>`;
}

// --- distribution ---------------------------------------------------------------------------------

function bar(n: number, max: number, cls = ''): string {
  const width = max > 0 ? Math.max(n > 0 ? 1 : 0, Math.round((100 * n) / max)) : 0;
  return `<span class="bar ${cls}"><span style="width:${width}%"></span></span>`;
}

function distributionSection(history: History): string {
  const parts: string[] = [];

  // Kafka partitions: what was sent to each, and which consumers processed it. The call ops
  // carry no partition, so a processed key is attributed to the partition it was sent to.
  const partitionOf = new Map<string, number>();
  const partitions = new Map<number, { sent: number; processed: number; by: string[] }>();
  for (const op of history) {
    if (op.kind === 'produce' && op.outcome === 'ok' && typeof op.partition === 'number' && op.partition >= 0) {
      const p = partitions.get(op.partition) ?? { sent: 0, processed: 0, by: [] };
      partitions.set(op.partition, p);
      p.sent++;
      if (op.key) partitionOf.set(op.key, op.partition);
    }
  }
  const instances = new Map<number, { ok: number; fail: number; info: number }>();
  for (const op of history) {
    if (op.kind !== 'call') continue;
    const instance = callValue(op).instance;
    if (typeof instance === 'number') {
      const row = instances.get(instance) ?? { ok: 0, fail: 0, info: 0 };
      instances.set(instance, row);
      row[op.outcome]++;
    }
    const p = op.key !== undefined && op.outcome === 'ok' ? partitions.get(partitionOf.get(op.key) ?? -1) : undefined;
    if (p) {
      p.processed++;
      const who = typeof instance === 'number' ? `learner-${instance}` : op.process;
      if (!p.by.includes(who)) p.by.push(who);
    }
  }

  if (partitions.size > 0) {
    const max = Math.max(...[...partitions.values()].map((p) => p.sent));
    const rows = [...partitions]
      .sort(([a], [b]) => a - b)
      .map(([n, p]) => `<tr><td>partition ${n}</td><td class="num">${p.sent}</td><td>${bar(p.sent, max)}</td><td class="num">${p.processed}</td><td>${p.by.map(esc).join(' → ') || '<span class="muted">nobody</span>'}</td></tr>`);
    parts.push(`<div><h3>Per partition</h3><table class="dist"><thead><tr><th>partition</th><th>sent</th><th></th><th>processed</th><th>processed by (in order)</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
  }
  if (instances.size > 0) {
    const max = Math.max(...[...instances.values()].map((i) => i.ok + i.fail + i.info));
    const rows = [...instances]
      .sort(([a], [b]) => a - b)
      .map(
        ([n, i]) =>
          `<tr><td>learner-${n}</td><td class="num">${i.ok}</td><td class="num">${i.fail || '<span class="muted">0</span>'}</td><td class="num">${i.info || '<span class="muted">0</span>'}</td><td>${stacked(i, max)}</td></tr>`,
      );
    parts.push(`<div><h3>Per consumer</h3><table class="dist"><thead><tr><th>instance</th><th>processed</th><th>failed</th><th>unknown</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
  }
  if (parts.length === 0) return '';
  return `<section><h2>Distribution <span class="muted">how the work spread</span></h2><div class="cols">${parts.join('')}</div></section>`;
}

/** One bar per consumer: processed, failed and unknown calls side by side. */
function stacked(i: { ok: number; fail: number; info: number }, max: number): string {
  const pct = (n: number) => (max > 0 ? (100 * n) / max : 0).toFixed(1);
  return `<span class="bar stacked"><span class="ok" style="width:${pct(i.ok)}%"></span><span class="fail" style="width:${pct(i.fail)}%"></span><span class="info" style="width:${pct(i.info)}%"></span></span>`;
}

// --- notes and artifacts --------------------------------------------------------------------------

function notesSection(r: RunResult, history: History): string {
  const learners = [...new Set(history.filter((op) => op.process.startsWith('learner-')).map((op) => op.process))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const files = [
    ['report.html', 'this page'],
    ['results.json', 'the results (Exercism v3 shape, with scores)'],
    ['history.jsonl', 'every operation the lab performed or observed, one JSON per line'],
    ['junit.xml', 'the results for CI'],
    ['run.json', 'the environment your program got'],
    ...learners.flatMap((name) => [
      [`${name}.stdout.log`, `what ${name} printed`],
      [`${name}.stderr.log`, `${name}'s errors`],
    ]),
  ];
  const notes = r.notes.length > 0 ? `<h3>Notes</h3><ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const list = files.map(([file, what]) => `<li><a href="${esc(file)}"><code>${esc(file)}</code></a> <span class="muted">${esc(what)}</span></li>`).join('');
  return `<section>${notes}<h3>Artifacts <span class="muted">in <code>${esc(r.runDir)}</code></span></h3><ul class="files">${list}</ul></section>`;
}

// --- style ----------------------------------------------------------------------------------------

const CSS = `
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --unknown:#9a6700; --unknown-bg:#fff8c5;
  --error:#8250df; --error-bg:#fbefff; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa;
  --produced:#0969da; --processed:#1a7f37; --failed:#cf222e; --unk:#bf8700; --dead:#8250df; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width:1080px; margin:0 auto; padding:24px 20px 40px; }
code { font:0.9em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; overflow-wrap:anywhere; }
h1 { font-size:22px; margin:0 0 4px; line-height:1.25; }
h2 { font-size:17px; margin:0 0 12px; }
h3 { font-size:15px; margin:0; }
.muted { color:var(--muted); font-weight:normal; }
.small { font-size:13px; margin:8px 0 0; }
.id { color:var(--muted); font-weight:normal; font-size:15px; white-space:nowrap; font-family:ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
section, header.run { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px; margin:0 0 16px; }
header.run { display:flex; gap:20px; align-items:flex-start; border-left-width:8px; }
header.run.pass { border-left-color:var(--pass); } header.run.fail { border-left-color:var(--fail); }
header.run.unknown { border-left-color:var(--unknown); } header.run.error { border-left-color:var(--error); }
.verdict { flex:none; font-weight:800; font-size:20px; letter-spacing:0.04em; padding:10px 16px; border-radius:8px; color:#fff; min-width:132px; text-align:center; }
.verdict.pass { background:var(--pass); } .verdict.fail { background:var(--fail); } .verdict.unknown { background:var(--unknown); } .verdict.error { background:var(--error); }
.what { min-width:0; flex:1; }
.summary { margin:0 0 10px; }
.facts { display:flex; flex-wrap:wrap; gap:6px 28px; margin:0; }
.facts div { min-width:0; } .facts dt { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:0.05em; }
.facts dd { margin:0; }
.score { font-weight:700; }
.meter { display:inline-block; width:90px; height:8px; background:#eaeef2; border-radius:4px; vertical-align:middle; overflow:hidden; }
.meter span { display:block; height:100%; background:var(--pass); }
.check { border:1px solid var(--line); border-left:5px solid var(--line); border-radius:8px; padding:10px 14px; margin:0 0 10px; }
.check.pass { border-left-color:var(--pass); } .check.fail { border-left-color:var(--fail); background:#fffafa; } .check.unknown { border-left-color:var(--unknown); background:#fffdf0; }
.check-head { display:flex; align-items:baseline; gap:10px; flex-wrap:wrap; }
.check-head h3 { flex:1; min-width:200px; }
.check-head .name { color:var(--muted); font-size:12px; }
.points { color:var(--muted); font-size:13px; }
.badge { font-size:11px; font-weight:700; letter-spacing:0.06em; padding:2px 7px; border-radius:999px; }
.badge.pass { color:var(--pass); background:var(--pass-bg); } .badge.fail { color:var(--fail); background:var(--fail-bg); } .badge.unknown { color:var(--unknown); background:var(--unknown-bg); }
.eo { display:grid; grid-template-columns:max-content 1fr; gap:2px 12px; margin:8px 0 0; font-size:14px; }
.eo dt { color:var(--muted); } .eo dd { margin:0; min-width:0; overflow-wrap:anywhere; }
.examples { margin:8px 0 0; padding:8px 12px 8px 28px; background:var(--bg); border-radius:6px; font-size:13px; max-height:220px; overflow:auto; }
.examples code { white-space:pre-wrap; }
.hint { margin:8px 0 0; padding:8px 12px; background:#ddf4ff; border-radius:6px; font-size:14px; }
.hint strong { color:#0550ae; margin-right:4px; }
.empty { color:var(--muted); margin:0; }
.timeline { margin:0; overflow-x:auto; }
/* below ~720px wide the SVG's text would get too small to read: scroll instead */
.timeline svg { display:block; width:100%; min-width:720px; height:auto; font-family:system-ui, "Noto Sans", "DejaVu Sans", sans-serif; }
.timeline figcaption { font-size:12px; color:var(--muted); margin-top:6px; }
.grid { stroke:#eaeef2; stroke-width:1; } .axis { stroke:#8c959f; stroke-width:1; }
.tick { font-size:11px; fill:var(--muted); }
.phase { font-size:12px; fill:#8c959f; font-style:italic; }
.band { fill:#f6f8fa; }
.lane-label { font-size:12.5px; fill:var(--ink); } .lane-count { font-size:12px; fill:var(--muted); font-variant-numeric:tabular-nums; }
.lane.produced .ev { fill:var(--produced); } .lane.processed .ev { fill:var(--processed); } .lane.failed .ev { fill:var(--failed); }
.lane.unknown .ev { fill:var(--unk); } .lane.dead-letter .ev { fill:var(--dead); }
.life { fill:#afb8c1; } .start { fill:#fff; stroke:#57606a; stroke-width:2; }
.exit { fill:#57606a; } .exit.bad { stroke:var(--fail); stroke-width:2.5; fill:none; } .hit { fill:transparent; }
.fault line { stroke:var(--fail); stroke-width:1.6; }
.fault .flabel { fill:var(--fail); } .fault text { fill:#fff; font-size:11px; font-weight:600; }
.fault.heal line { stroke:var(--pass); stroke-dasharray:4 3; } .fault.heal .flabel { fill:var(--pass); }
.key { display:inline-block; width:14px; height:3px; vertical-align:middle; margin-right:2px; }
.fault-key { background:var(--fail); } .heal-key { background:repeating-linear-gradient(90deg, var(--pass) 0 4px, transparent 4px 7px); }
table { border-collapse:collapse; font-size:14px; }
th { text-align:left; font-size:12px; color:var(--muted); font-weight:600; padding:4px 12px 4px 0; border-bottom:1px solid var(--line); }
td { padding:4px 12px 4px 0; border-bottom:1px solid #eaeef2; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.latency td.num { font-weight:600; min-width:70px; }
.cols { display:flex; flex-wrap:wrap; gap:16px 40px; } .cols > div { min-width:0; } .cols h3 { margin-bottom:6px; }
.bar { display:inline-block; width:140px; height:10px; background:#eaeef2; border-radius:5px; overflow:hidden; vertical-align:middle; }
.bar > span { display:block; float:left; height:100%; background:var(--produced); }
.bar.stacked .ok { background:var(--processed); } .bar.stacked .fail { background:var(--failed); } .bar.stacked .info { background:var(--unk); }
.notes { margin:6px 0 14px; padding-left:20px; color:var(--unknown); }
.files { margin:6px 0 0; padding-left:20px; columns:2 340px; font-size:14px; }
.files a { color:#0969da; text-decoration:none; } .files a:hover { text-decoration:underline; }
footer { color:var(--muted); font-size:12px; text-align:center; }
@media (max-width:640px) { header.run { flex-direction:column; } }
`;
