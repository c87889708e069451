/**
 * brokerlab down [broker...]: stop brokers (default: all) that brokerlab started.
 * Brokers somebody else runs (external, or a process brokerlab did not start) are left alone.
 *
 *   stopping Kafka ... stopped in 1.4s
 */
import { Command } from 'commander';
import { BROKER_NAMES, down, parseBrokerNames, parseRuntime } from '../../brokers/index.js';
import { downLine, makeColors } from '../../brokers/format.js';
export function downCommand() {
    return new Command('down')
        .description('stop brokers (default: all) that brokerlab started')
        .argument('[broker...]', `brokers to stop: ${BROKER_NAMES.join(', ')}`)
        .option('--runtime <kind>', 'native | compose | external (default: the runtime that started it)')
        .option('-q, --quiet', 'print nothing but errors')
        .option('--json', 'print the results as JSON on stdout (progress goes to stderr)')
        .action(async (brokers, options) => {
        const names = parseBrokerNames(brokers);
        const runtime = parseRuntime(options.runtime, '--runtime');
        const out = options.json ? process.stderr : process.stdout;
        const c = makeColors();
        const say = options.quiet ? () => { } : (text) => out.write(text);
        let midLine = false;
        const onProgress = (event) => {
            if (event.type === 'stopping') {
                say(`stopping ${event.label} ... `);
                midLine = true;
            }
            else if (event.type === 'down') {
                say(downLine(event.result, c) + '\n');
                midLine = false;
            }
        };
        try {
            const results = await down(names, { ...(runtime ? { runtime } : {}), onProgress });
            if (options.json)
                process.stdout.write(JSON.stringify(results, null, 2) + '\n');
        }
        catch (error) {
            if (midLine)
                say(c.red('failed') + '\n');
            throw error;
        }
    });
}
//# sourceMappingURL=down.js.map