/**
 * Section 5 of `npm run bench`: the whole catalog through `brokerlab dev check` (every
 * starter, reference and wrong solution) at --parallel 1, 2 and 4: wall clock, and from the
 * --parallel 1 run the time of each graded run (what used to be this script's only table).
 */
import { lastLine, runCli } from './cli-runner.js';
import { median } from './stats.js';
import { formatSeconds } from './table.js';
export const PARALLEL_LEVELS = [1, 2, 4];
/** Does this brokerlab's `dev check` take --parallel? (It arrived after the first bench.) */
export function supportsParallel(helpText) {
    return /--parallel\b/.test(helpText);
}
export const PARALLEL_COLUMNS = [
    { header: '--parallel', align: 'right' },
    { header: 'graded runs', align: 'right' },
    { header: 'deviations', align: 'right' },
    { header: 'wall time', align: 'right' },
    { header: 'sum of run times', align: 'right' },
    { header: 'speed-up vs 1', align: 'right' },
];
export function parallelRows(runs) {
    const base = runs.find((r) => r.parallel === 1 && !r.error)?.wallMs;
    return runs.map((r) => {
        if (r.error)
            return [String(r.parallel), '-', '-', '-', '-', r.error];
        const sum = r.rows.reduce((total, row) => total + row.seconds, 0) * 1000;
        return [
            String(r.parallel),
            String(r.rows.length),
            String(r.rows.filter((row) => !row.ok).length),
            formatSeconds(r.wallMs),
            formatSeconds(sum),
            base !== undefined ? `${(base / r.wallMs).toFixed(2)}x` : '-',
        ];
    });
}
/** min / median / max seconds per exercise and solution, over the repeats. */
export function perSolutionTable(rows) {
    const groups = new Map();
    for (const row of rows)
        groups.set(`${row.exercise}\t${row.solution}`, [...(groups.get(`${row.exercise}\t${row.solution}`) ?? []), row]);
    return {
        caption: 'Each graded run (from the --parallel 1 run)',
        columns: [
            { header: 'exercise' },
            { header: 'solution' },
            { header: 'runs', align: 'right' },
            { header: 'min s', align: 'right' },
            { header: 'median s', align: 'right' },
            { header: 'max s', align: 'right' },
            { header: 'as expected' },
        ],
        rows: [...groups.values()].map((group) => {
            const secs = group.map((row) => row.seconds);
            return [
                group[0].exercise,
                group[0].solution,
                String(group.length),
                Math.min(...secs).toFixed(1),
                median(secs).toFixed(1),
                Math.max(...secs).toFixed(1),
                group.every((row) => row.ok) ? 'yes' : `no (${group.filter((row) => !row.ok).length} deviating)`,
            ];
        }),
    };
}
export async function devCheckSection(ctx, repeat = 1) {
    const help = await runCli(['dev', 'check', '--help']);
    const parallel = supportsParallel(help.stdout);
    const runs = [];
    for (const level of parallel ? PARALLEL_LEVELS : [1]) {
        if (ctx.signal?.aborted)
            break;
        ctx.log(`dev check --parallel ${level}${repeat > 1 ? ` --repeat ${repeat}` : ''} (the whole catalog)`);
        const run = await runCli(['dev', 'check', '--json', '--quiet', '--repeat', String(repeat), ...(parallel ? ['--parallel', String(level)] : [])]);
        try {
            const parsed = JSON.parse(run.stdout);
            runs.push({ parallel: level, wallMs: run.wallMs, code: run.code, rows: parsed.rows });
        }
        catch {
            runs.push({ parallel: level, wallMs: run.wallMs, code: run.code, rows: [], error: `no result: ${lastLine(run.stderr) || `exit ${run.code}`}` });
        }
    }
    if (!parallel) {
        for (const level of PARALLEL_LEVELS.slice(1))
            runs.push({ parallel: level, wallMs: Number.NaN, code: null, rows: [], error: 'not measured: this dev check has no --parallel yet' });
    }
    const sequential = runs.find((r) => r.parallel === 1);
    return {
        id: 'dev-check',
        title: '5. Full catalog: brokerlab dev check at --parallel 1, 2, 4',
        tables: [{ columns: PARALLEL_COLUMNS, rows: parallelRows(runs) }, ...(sequential && sequential.rows.length > 0 ? [perSolutionTable(sequential.rows)] : [])],
        notes: [
            `Every starter, reference and wrong solution of every exercise${repeat > 1 ? `, ${repeat} times each` : ''}; wall time of the whole command. A deviation is a solution that did not get its expected verdict.`,
        ],
    };
}
//# sourceMappingURL=dev-check-parallel.js.map