/**
 * Section 3 of `npm run bench`: `brokerlab down`, then `brokerlab up` of every broker until
 * each answers: per broker (as `up --json` reports it) and in total (wall clock of `up`).
 * This stops the brokers, so only the benchmark script runs it, never a test. Afterwards the
 * brokers that were not running before are stopped again, leaving the machine as it was.
 */
import { reason } from '../brokers/net.js';
import { lastLine, runCli } from './cli-runner.js';
import { formatSeconds } from './table.js';
import { COLD_START_TARGET_MS, under } from './targets.js';
/** `brokerlab status --json`: the brokers healthy right now. */
async function healthyBrokers(cli) {
    const run = await cli(['status', '--json']);
    const rows = JSON.parse(run.stdout);
    return rows.filter((row) => row.health === 'healthy').map((row) => row.name);
}
export const COLD_START_COLUMNS = [
    { header: 'broker' },
    { header: 'runtime' },
    { header: 'ready after', align: 'right' },
    { header: 'target', align: 'right' },
    { header: 'status' },
];
export function coldStartRows(rows, totalMs) {
    return [
        ...rows.map((row) => [row.name, row.runtime, row.action === 'started' ? formatSeconds(row.ms) : `${row.action}`, '', '']),
        ['all (brokerlab up)', '', formatSeconds(totalMs), `< ${formatSeconds(COLD_START_TARGET_MS)}`, under(totalMs, COLD_START_TARGET_MS)],
    ];
}
export async function coldStartSection(ctx, cli = (args) => runCli(args)) {
    const notes = [];
    const before = await healthyBrokers(cli);
    ctx.log('brokerlab down (every broker stops: anyone else using them loses them for a while)');
    const down = await cli(['down', '--quiet']);
    if (down.code !== 0)
        throw new Error(`brokerlab down failed: ${lastLine(down.stderr)}`);
    notes.push(`brokerlab down took ${formatSeconds(down.wallMs)}.`);
    ctx.log('brokerlab up (every broker, until each answers)');
    const up = await cli(['up', '--json']);
    let rows = [];
    try {
        rows = JSON.parse(up.stdout);
    }
    catch (error) {
        notes.push(`brokerlab up printed no JSON (${reason(error)}): ${lastLine(up.stderr)}`);
    }
    if (up.code !== 0)
        notes.push(`brokerlab up exited ${up.code}: ${lastLine(up.stderr)}`);
    notes.push('ready after: from starting the broker\'s process to its first healthy answer (as `brokerlab up --json` reports); all: wall clock of `brokerlab up`, Node start-up included; target < 25 s.');
    const extra = rows.map((row) => row.name).filter((name) => !before.includes(name));
    if (extra.length > 0) {
        ctx.log(`brokerlab down ${extra.join(' ')} (not running before the benchmark)`);
        await cli(['down', '--quiet', ...extra]);
        notes.push(`Stopped again afterwards (not running before): ${extra.join(', ')}.`);
    }
    return { id: 'cold-start', title: '3. Cold start: brokerlab down, then brokerlab up of every broker', tables: [{ columns: COLD_START_COLUMNS, rows: coldStartRows(rows, up.wallMs) }], notes };
}
//# sourceMappingURL=cold-start.js.map