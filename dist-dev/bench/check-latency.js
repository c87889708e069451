/**
 * Section 2 of `npm run bench`: how long a learner waits for `brokerlab check <pilot>
 * --solution reference --quiet`, wall clock from spawn to exit, brokers already running;
 * the median of 5 runs per graded exercise (the pilots: every exercise in the catalog).
 */
import { loadCatalog } from '../catalog/load.js';
import { lastLine, runCli } from './cli-runner.js';
import { median } from './stats.js';
import { formatSeconds } from './table.js';
import { checkTargetMs, under } from './targets.js';
export const CHECK_RUNS = 5;
/** The graded exercises and the brokers each uses, in curriculum order. */
export function pilots() {
    return loadCatalog().map((entry) => ({ id: entry.scenario.id, brokers: [...entry.scenario.brokers] }));
}
export const CHECK_COLUMNS = [
    { header: 'exercise' },
    { header: 'brokers' },
    { header: 'runs', align: 'right' },
    { header: 'median', align: 'right' },
    { header: 'min', align: 'right' },
    { header: 'max', align: 'right' },
    { header: 'target', align: 'right' },
    { header: 'status' },
];
export function checkRow(t) {
    const target = checkTargetMs(t.brokers);
    const middle = median(t.wallMs);
    const status = t.failures.length > 0 ? 'MISS (did not pass)' : under(middle, target);
    return [
        t.exercise,
        t.brokers.join(', '),
        String(t.wallMs.length),
        formatSeconds(middle),
        formatSeconds(Math.min(...t.wallMs)),
        formatSeconds(Math.max(...t.wallMs)),
        `< ${formatSeconds(target)}`,
        status,
    ];
}
export async function checkLatencySection(ctx, runs = CHECK_RUNS) {
    const timings = [];
    for (const pilot of pilots()) {
        const timing = { exercise: pilot.id, brokers: pilot.brokers, wallMs: [], failures: [] };
        for (let i = 1; i <= runs && !ctx.signal?.aborted; i++) {
            ctx.log(`check ${pilot.id} --solution reference, run ${i} of ${runs}`);
            const run = await runCli(['check', pilot.id, '--solution', 'reference', '--quiet']);
            timing.wallMs.push(run.wallMs);
            if (run.code !== 0)
                timing.failures.push(`run ${i} exited ${run.code}: ${lastLine(run.stderr) || lastLine(run.stdout)}`);
        }
        timings.push(timing);
    }
    return {
        id: 'check',
        title: `2. Check latency: brokerlab check <pilot> --solution reference, median of ${runs}`,
        tables: [{ columns: CHECK_COLUMNS, rows: timings.filter((t) => t.wallMs.length > 0).map(checkRow) }],
        notes: [
            'Wall time from starting the CLI to its exit, brokers already running; targets: Redis and RabbitMQ < 3 s, Kafka < 6 s.',
            ...timings.flatMap((t) => t.failures.map((f) => `${t.exercise}: ${f}`)),
        ],
    };
}
//# sourceMappingURL=check-latency.js.map