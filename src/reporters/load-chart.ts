/**
 * The run report's "Load" section, for a run with a load plan (workloads/load-test.ts): two
 * charts over the seconds of the load (orders offered and accepted per second; the p99
 * latency of each second's orders against the bound), the phases behind them, a row per
 * phase, and the knee. Figures come from checks/load.ts's profile, so the report and the
 * checks agree.
 */
import type { History } from '../runner/history.js';
import { DEFAULT_LOAD_PARAMS, type LoadProfile, planProfile } from '../checks/load.js';

const W = 960;
const LEFT = 64;
const RIGHT = 16;
const PLOT_W = W - LEFT - RIGHT;
const RATE_H = 190;
const P99_H = 130;
const GAP = 34;
const TOP = 22;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'never');

/** A round step for an axis up to `max`, about `ticks` of them. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw);
}

function polyline(points: Array<[number, number]>, cls: string): string {
  if (points.length === 0) return '';
  return `<polyline class="${cls}" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

/** The knee, in one sentence. */
export function kneeText(profile: LoadProfile): string {
  if (profile.knee) return `Kept up at ${perSecond(profile.knee.keptUpAt)}, not at ${perSecond(profile.knee.notAt)}: the knee is in between.`;
  if (profile.highestKeptUp !== undefined) {
    const limited = profile.phases.find((ph) => ph.labLimited && ph.plannedRate > profile.highestKeptUp!);
    return limited
      ? `Kept up at every rate up to ${perSecond(profile.highestKeptUp)}; at ${perSecond(limited.plannedRate)} the lab itself could not offer the rate, so the knee is not known beyond.`
      : `Kept up at every rate offered, up to ${perSecond(profile.highestKeptUp)}: the knee is above that.`;
  }
  return `Did not keep up with ${perSecond(profile.rate)}, the rate to sustain.`;
}

function chart(profile: LoadProfile): string {
  const first = profile.phases[0];
  const last = profile.phases.at(-1);
  if (!first || !last || profile.seconds.length === 0) return '';
  const from = Math.floor(first.startAt / 1000);
  const to = Math.max(Math.ceil(last.endAt / 1000), (profile.seconds.at(-1)?.second ?? from) + 1);
  const x = (second: number) => LEFT + ((second - from) / Math.max(to - from, 1)) * PLOT_W;
  const out: string[] = [];

  // Phases as bands behind both charts, named above the first.
  const bottom = TOP + RATE_H + GAP + P99_H;
  profile.phases.forEach((ph, i) => {
    const x1 = x(ph.startAt / 1000);
    const x2 = x(ph.endAt / 1000);
    if (i % 2 === 1) out.push(`<rect class="band" x="${x1.toFixed(1)}" y="${TOP}" width="${Math.max(0, x2 - x1).toFixed(1)}" height="${bottom - TOP}"/>`);
    const label = ph.name === 'sustain' ? `sustain ${perSecond(ph.plannedRate)}` : ph.name.startsWith('step-') ? perSecond(ph.plannedRate) : ph.name;
    if (x2 - x1 > label.length * 6) out.push(`<text class="phase" x="${((x1 + x2) / 2).toFixed(1)}" y="${TOP - 7}" text-anchor="middle">${esc(label)}</text>`);
  });

  // Orders per second: offered and accepted.
  const rateMax = Math.max(...profile.seconds.map((s) => Math.max(s.offered, s.packed)), profile.rate) * 1.1;
  const rateStep = niceStep(rateMax, 4);
  const yRate = (v: number) => TOP + RATE_H - (v / (Math.ceil(rateMax / rateStep) * rateStep)) * RATE_H;
  for (let v = 0; v <= rateMax + rateStep / 2; v += rateStep) {
    out.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${yRate(v).toFixed(1)}" y2="${yRate(v).toFixed(1)}"/><text class="tick" x="${LEFT - 6}" y="${(yRate(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  const mid = (s: { second: number }) => x(s.second + 0.5);
  out.push(polyline(profile.seconds.map((s) => [mid(s), yRate(s.offered)]), 'offered'));
  out.push(polyline(profile.seconds.map((s) => [mid(s), yRate(s.packed)]), 'accepted'));
  out.push(`<text class="axis-title" x="${LEFT}" y="${TOP + 12}" dx="6">orders per second</text>`);

  // p99 of each second's orders, against the bound; a second with more than 1 in 100 never
  // accepted (or far over) sits on the top edge.
  const p99Top = TOP + RATE_H + GAP;
  const cap = profile.boundMs * 4;
  const finite = profile.seconds.map((s) => s.p99).filter((v) => Number.isFinite(v));
  const p99Max = Math.min(cap, Math.max(profile.boundMs * 1.5, ...finite));
  const p99Step = niceStep(p99Max, 3);
  const p99Scale = Math.ceil(p99Max / p99Step) * p99Step;
  const yP99 = (v: number) => p99Top + P99_H - (Math.min(v, p99Scale) / p99Scale) * P99_H;
  for (let v = 0; v <= p99Scale + p99Step / 2; v += p99Step) {
    out.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${yP99(v).toFixed(1)}" y2="${yP99(v).toFixed(1)}"/><text class="tick" x="${LEFT - 6}" y="${(yP99(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`);
  }
  out.push(`<line class="bound" x1="${LEFT}" x2="${W - RIGHT}" y1="${yP99(profile.boundMs).toFixed(1)}" y2="${yP99(profile.boundMs).toFixed(1)}"><title>the bound: ${profile.boundMs} ms</title></line>`);
  const withLatency = profile.seconds.filter((s) => !Number.isNaN(s.p99));
  out.push(polyline(withLatency.map((s) => [mid(s), yP99(s.p99)]), 'p99'));
  for (const s of withLatency.filter((s) => s.p99 > profile.boundMs)) {
    out.push(`<circle class="over" cx="${mid(s).toFixed(1)}" cy="${yP99(s.p99).toFixed(1)}" r="3"><title>orders sent in second ${s.second}: p99 ${ms(s.p99)}</title></circle>`);
  }
  out.push(`<text class="axis-title" x="${LEFT}" y="${p99Top + 12}" dx="6">p99 latency of each second's orders (ms)</text>`);

  // Seconds along the bottom.
  const tStep = niceStep(to - from, 10);
  for (let s = Math.ceil(from / tStep) * tStep; s <= to; s += tStep) {
    out.push(`<text class="tick" x="${x(s).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${s}s</text>`);
  }
  out.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${TOP + RATE_H}" y2="${TOP + RATE_H}"/><line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}"/>`);
  return `<svg viewBox="0 0 ${W} ${bottom + 24}" width="100%" role="img" aria-label="orders per second and p99 latency over the load">${out.join('')}</svg>`;
}

function table(profile: LoadProfile): string {
  const rows = profile.phases.map((ph) => {
    const state = ph.labLimited ? '<span class="muted">lab could not offer it</span>' : ph.keptUp ? '<span class="ok">yes</span>' : '<span class="no">no</span>';
    const seconds = ((ph.endAt - ph.startAt) / 1000).toFixed(1);
    return `<tr><td>${esc(ph.name)}</td><td class="num">${perSecond(ph.plannedRate)}</td><td class="num">${perSecond(ph.offeredRate)} for ${seconds} s</td><td class="num">${perSecond(ph.sustainedRate)} (${(ph.share * 100).toFixed(1)} %)</td><td class="num">${ms(ph.p50)}</td><td class="num">${ms(ph.p99)}</td><td>${state}</td></tr>`;
  });
  return `<table class="latency load"><thead><tr><th>phase</th><th>planned</th><th>offered</th><th>accepted in time</th><th>p50</th><th>p99</th><th>kept up</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The section, or '' for a run without a load plan. */
export function loadSection(history: History): string {
  const profile = planProfile(history);
  if (!profile || profile.phases.length === 0) return '';
  return `<section><h2>Load <span class="muted">orders offered by the lab and accepted by the service, second by second</span></h2>
<figure class="timeline load-chart">${chart(profile)}
<figcaption><span class="key offered-key"></span> offered · <span class="key accepted-key"></span> accepted · <span class="key p99-key"></span> p99 latency · <span class="key bound-key"></span> the bound (${profile.boundMs} ms). Kept up: at least ${(DEFAULT_LOAD_PARAMS.minShare * 100).toFixed(0)} % accepted within ${(DEFAULT_LOAD_PARAMS.graceMs / 1000).toFixed(0)} s of the phase's end, and p99 within the bound.</figcaption>
</figure>
${table(profile)}
<p class="small"><strong>${esc(kneeText(profile))}</strong></p>
</section>`;
}

export const LOAD_CSS = `
.load-chart .offered { fill:none; stroke:var(--produced); stroke-width:1.8; }
.load-chart .accepted { fill:none; stroke:var(--processed); stroke-width:1.8; stroke-dasharray:5 3; }
.load-chart .p99 { fill:none; stroke:#57606a; stroke-width:1.6; }
.load-chart .bound { stroke:var(--fail); stroke-width:1.2; stroke-dasharray:6 4; }
.load-chart .over { fill:var(--fail); }
.load-chart .axis-title { font-size:12px; fill:var(--muted); }
.offered-key { background:var(--produced); } .accepted-key { background:var(--processed); } .p99-key { background:#57606a; } .bound-key { background:var(--fail); }
table.load .ok { color:var(--pass); font-weight:600; } table.load .no { color:var(--fail); font-weight:600; }
`;
