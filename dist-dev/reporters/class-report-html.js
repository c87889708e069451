import { esc, pageHead } from './html.js';
export const CELL = {
    pass: { mark: '✔', label: 'PASSED' },
    fail: { mark: '✘', label: 'NOT YET' },
    unknown: { mark: '?', label: 'UNDECIDED' },
    error: { mark: '!', label: 'ERROR' },
    none: { mark: '–', label: 'not submitted' },
};
function plural(n, noun) {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
/** The cell's tooltip: the failing checks by title (a mentor asks "failing what?"). */
export function cellTitle(cell) {
    const parts = [`${CELL[cell.verdict].label}, ${cell.score.earned}/${cell.score.max} points`];
    if (cell.failing.length > 0)
        parts.push(`Failing: ${cell.failing.map((c) => c.title).join('; ')}`);
    if (cell.undecided.length > 0)
        parts.push(`Undecided: ${cell.undecided.map((c) => c.title).join('; ')}`);
    if (cell.failing.length === 0 && cell.undecided.length === 0 && cell.verdict !== 'pass' && cell.summary)
        parts.push(cell.summary);
    if (cell.gradedAt)
        parts.push(`graded ${cell.gradedAt}`);
    return parts.join('\n');
}
function cellHtml(learner, exercise, cell) {
    if (!cell) {
        return `<td class="cell none" data-exercise="${esc(exercise)}" data-verdict="none" title="${esc(`${learner} has no result for ${exercise}`)}"><span class="mark" aria-hidden="true">${CELL.none.mark}</span> <span class="label">${CELL.none.label}</span></td>`;
    }
    const v = CELL[cell.verdict];
    const failing = cell.failing.length > 0 ? ` <span class="failing">${plural(cell.failing.length, 'check')} failing</span>` : '';
    return `<td class="cell ${cell.verdict}" data-exercise="${esc(exercise)}" data-verdict="${cell.verdict}" title="${esc(cellTitle(cell))}"><span class="mark" aria-hidden="true">${v.mark}</span> <span class="label">${v.label}</span> <span class="score">${cell.score.earned}/${cell.score.max}</span>${failing}</td>`;
}
function gridSection(report) {
    const head = report.exercises
        .map((e) => `<th scope="col" data-exercise="${esc(e.id)}">${e.week ? `<span class="week">week ${esc(e.week)}</span>` : ''}<span class="ex-title">${esc(e.title)}</span><code class="id">${esc(e.id)}</code></th>`)
        .join('');
    const rows = report.learners
        .map((l) => `<tr data-learner="${esc(l.name)}"><th scope="row" class="learner">${esc(l.name)}</th>${report.exercises.map((e) => cellHtml(l.name, e.id, l.cells[e.id])).join('')}<td class="total num">${l.total.earned}/${l.total.max}</td></tr>`)
        .join('\n');
    const summary = report.exercises
        .map((e) => {
        const most = e.mostFailed
            ? `<span class="most-failed">most failed: <strong>${esc(e.mostFailed.title)}</strong> <code>${esc(e.mostFailed.check)}</code> (${e.mostFailed.failing} of ${e.submitted})</span>`
            : '<span class="most-failed muted">no check failed</span>';
        return `<td class="summary" data-exercise="${esc(e.id)}"><span class="passed"><strong>${e.passed}/${report.learners.length}</strong> passed</span>${e.submitted < report.learners.length ? ` <span class="muted">(${e.submitted} submitted)</span>` : ''}${most}</td>`;
    })
        .join('');
    const legend = ['pass', 'fail', 'unknown', 'error', 'none'].map((k) => `<span class="cell ${k}"><span class="mark" aria-hidden="true">${CELL[k].mark}</span> ${CELL[k].label}</span>`).join(' ');
    return `<section>
<h2>Learners × exercises <span class="muted">the latest result of each learner; hover a cell for its failing checks</span></h2>
<div class="scroll"><table class="grid">
<thead><tr><th scope="col" class="learner">learner</th>${head}<th scope="col" class="num">total</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row">class</th>${summary}<td></td></tr></tfoot>
</table></div>
<p class="legend">${legend}</p>
</section>`;
}
function stuckSection(report) {
    if (report.stuck.length === 0) {
        return `<section id="stuck"><h2>Where the class is stuck</h2><p class="empty">Nowhere: no learner fails any check.</p></section>`;
    }
    const items = report.stuck
        .map((s) => {
        const share = s.submitted > 0 ? Math.round((100 * s.failing.length) / s.submitted) : 0;
        const hint = s.hint ? `<p class="hint"><strong>Hint</strong> ${esc(s.hint)}</p>` : '';
        return `<li class="stuck-check" data-exercise="${esc(s.exercise)}" data-check="${esc(s.check)}">
  <div class="stuck-head"><span class="count"><strong>${s.failing.length}</strong> of ${plural(s.submitted, 'learner')}</span><span class="meter"><span style="width:${share}%"></span></span><h3>${esc(s.title)}</h3><code class="name">${esc(s.check)}</code><span class="muted">in ${esc(s.exerciseTitle)}</span></div>
  ${hint}<p class="who">failing: ${s.failing.map((n) => `<span class="who-name">${esc(n)}</span>`).join(', ')}</p>
</li>`;
    })
        .join('\n');
    return `<section id="stuck"><h2>Where the class is stuck <span class="muted">checks by how many learners fail them</span></h2>\n<ol class="stuck">\n${items}\n</ol>\n</section>`;
}
export function toClassReportHtml(report, options) {
    const passedAll = report.learners.filter((l) => report.exercises.length > 0 && l.passed === report.exercises.length).length;
    return `${pageHead()}
<title>Class report · ${plural(report.learners.length, 'learner')} · brokerlab</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="class">
  <h1>Class report</h1>
  <p class="facts">${plural(report.learners.length, 'learner')} · ${plural(report.exercises.length, 'exercise')} · ${passedAll} passed every exercise · generated ${esc(options.generatedAt)}</p>
</header>
${gridSection(report)}
${stuckSection(report)}
<footer>brokerlab class report · from ${plural(options.sources, 'results file')}</footer>
</main>
</body>
</html>
`;
}
const CSS = `
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --unknown:#9a6700; --unknown-bg:#fff8c5;
  --error:#8250df; --error-bg:#fbefff; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width:1280px; margin:0 auto; padding:24px 20px 40px; }
code { font:0.9em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; overflow-wrap:anywhere; }
h1 { font-size:22px; margin:0 0 4px; }
h2 { font-size:17px; margin:0 0 12px; }
h3 { font-size:15px; margin:0; }
.muted { color:var(--muted); font-weight:normal; }
section, header.class { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px; margin:0 0 16px; }
.facts { margin:0; color:var(--muted); }
.scroll { overflow-x:auto; }
table.grid { border-collapse:separate; border-spacing:0; font-size:14px; }
.grid th, .grid td { padding:6px 10px; border-bottom:1px solid #eaeef2; text-align:left; vertical-align:top; }
.grid thead th { border-bottom:1px solid var(--line); font-weight:600; min-width:150px; }
.grid thead th.learner, .grid thead th.num { min-width:0; }
.grid th.learner, .grid tbody th, .grid tfoot th { position:sticky; left:0; background:#fff; z-index:1; }
.grid tbody th { font-weight:600; white-space:nowrap; max-width:220px; overflow:hidden; text-overflow:ellipsis; }
.week { display:block; font-size:11px; color:var(--muted); text-transform:uppercase; letter-spacing:0.05em; }
.ex-title { display:block; line-height:1.3; }
.grid thead .id { display:block; font-size:11px; color:var(--muted); font-weight:normal; }
.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.cell { white-space:nowrap; border-left:4px solid transparent; }
.cell .mark { font-weight:800; }
.cell .label { font-size:11px; font-weight:700; letter-spacing:0.05em; }
.cell .score { font-variant-numeric:tabular-nums; margin-left:4px; }
.cell .failing { display:block; font-size:12px; }
.cell.pass { background:var(--pass-bg); color:var(--pass); border-left-color:var(--pass); }
.cell.fail { background:var(--fail-bg); color:var(--fail); border-left-color:var(--fail); }
.cell.unknown { background:var(--unknown-bg); color:var(--unknown); border-left-color:var(--unknown); }
.cell.error { background:var(--error-bg); color:var(--error); border-left-color:var(--error); }
.cell.none { color:var(--muted); border-left-color:var(--line); }
td.cell[title] { cursor:help; }
tfoot td, tfoot th { border-top:1px solid var(--line); font-size:13px; }
.summary .passed { display:block; }
.most-failed { display:block; color:var(--fail); white-space:normal; max-width:240px; }
.most-failed code { color:var(--muted); font-size:11px; }
.most-failed.muted { color:var(--muted); }
.legend { margin:12px 0 0; font-size:13px; display:flex; flex-wrap:wrap; gap:8px; }
.legend .cell { padding:2px 8px; border-radius:4px; }
.stuck { margin:0; padding-left:24px; }
.stuck-check { margin:0 0 12px; }
.stuck-head { display:flex; flex-wrap:wrap; align-items:baseline; gap:6px 12px; }
.stuck-head .count { color:var(--fail); white-space:nowrap; }
.stuck-head .name { color:var(--muted); font-size:12px; }
.meter { display:inline-block; width:90px; height:8px; background:#eaeef2; border-radius:4px; overflow:hidden; align-self:center; }
.meter span { display:block; height:100%; background:var(--fail); }
.hint { margin:6px 0 0; padding:8px 12px; background:#ddf4ff; border-radius:6px; font-size:14px; white-space:pre-line; }
.hint strong { color:#0550ae; margin-right:4px; }
.who { margin:4px 0 0; font-size:13px; color:var(--muted); }
.empty { color:var(--muted); margin:0; }
footer { color:var(--muted); font-size:12px; text-align:center; }
`;
//# sourceMappingURL=class-report-html.js.map