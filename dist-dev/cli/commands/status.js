/**
 * brokerlab status [broker...]: one line per broker: where it answers, whether it is healthy,
 * and how it was started. Informational: exits 0 even when a broker is down.
 *
 *   BROKER    URL                     HEALTH   STARTED
 *   redis     redis://127.0.0.1:6379  healthy  native, pid 4242, started 09:12 by brokerlab
 */
import { Command } from 'commander';
import { BROKER_NAMES, parseBrokerNames, parseRuntime, status } from '../../brokers/index.js';
import { makeColors, statusTable } from '../../brokers/format.js';
export function statusCommand() {
    return new Command('status')
        .description('show each broker: URL, health, and how it was started')
        .argument('[broker...]', `brokers to show: ${BROKER_NAMES.join(', ')}`)
        .option('--runtime <kind>', 'native | compose | external (default: as for `brokerlab up`)')
        .option('--json', 'print the rows as JSON')
        .option('-q, --quiet', 'one plain line per broker: name and health')
        .action(async (brokers, options) => {
        const names = parseBrokerNames(brokers);
        const runtime = parseRuntime(options.runtime, '--runtime');
        const rows = await status(names, runtime ? { runtime } : {});
        if (options.quiet && !options.json) {
            process.stdout.write(rows.map((row) => `${row.name} ${row.health}\n`).join(''));
            return;
        }
        process.stdout.write(options.json ? JSON.stringify(rows, null, 2) + '\n' : statusTable(rows, makeColors()) + '\n');
    });
}
//# sourceMappingURL=status.js.map