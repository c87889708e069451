/**
 * The brokers' own performance tools, run on this machine against the same broker with the
 * same message size and count as `brokerlab bench`, for `npm run bench`'s comparison:
 *
 *   redis-benchmark       (Debian's redis-tools, next to redis-server)
 *   ProducerPerformance   (kafka-producer-perf-test; kafka-tools jar + the broker's own jars)
 *   PerfTest              (RabbitMQ's load generator; jars resolved by install.sh)
 *
 * Each run is timed with the same CPU meter as ours, so a shortfall can be explained from
 * what was measured. The JVM tools get the heap the brief for them names: 512 MiB.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../brokers/process.js';
import { parseEnvFile, repoRoot, tildify, vendorDir, versions } from '../brokers/versions.js';
import { EnvironmentError, InterruptedError } from '../errors.js';
import { startCpuMeter } from './cpu.js';
import { parsePerfTestSummary, parseProducerPerformance, parseRedisBenchmarkCsv } from './tool-output.js';
const JAVA_HEAP = '-Xmx512m';
/** No tool run may hang the benchmark. */
const TOOL_TIMEOUT_MS = 180_000;
function java() {
    return findExecutable([...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []), 'java']) ?? 'java';
}
/** Runs a tool to completion; its stdout and stderr together. Non-zero exit throws with the last lines. */
function runTool(command, args, signal) {
    return new Promise((resolve, reject) => {
        let output = '';
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: TOOL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
        child.stdout.on('data', (chunk) => (output += chunk.toString()));
        child.stderr.on('data', (chunk) => (output += chunk.toString()));
        child.once('error', (error) => {
            if (signal?.aborted)
                reject(new InterruptedError());
            else
                reject(new EnvironmentError(`cannot run ${command}: ${error.message}`));
        });
        child.once('close', (code) => {
            if (signal?.aborted)
                reject(new InterruptedError());
            else if (code === 0)
                resolve(output);
            else
                reject(new EnvironmentError(`${command} ${args.slice(0, 4).join(' ')} ... exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`));
        });
    });
}
/** Times one tool run: the tool is a child of this process, so its CPU shows as `children`. */
async function measured(brokerGroups, work) {
    const meter = startCpuMeter(brokerGroups);
    const rate = await work();
    return { rate, cpu: meter.stop() };
}
/** Commands per second as redis-benchmark counts them: the producer side only. */
export async function runRedisBenchmark(o) {
    const binary = findExecutable(['redis-benchmark', '/usr/bin/redis-benchmark']);
    if (!binary)
        throw new EnvironmentError('redis-benchmark is not installed (Debian package redis-tools, installed with redis-server). Run: npm run setup');
    const url = new URL(o.url);
    const payload = '.'.repeat(o.size);
    const command = o.command === 'publish' ? ['PUBLISH', o.target, payload] : ['XADD', o.target, '*', 'm', payload];
    const args = [
        '-h', url.hostname, '-p', url.port || '6379',
        ...(url.password ? ['-a', decodeURIComponent(url.password)] : []),
        '-c', '1', '-P', String(o.pipeline), '-n', String(o.messages), '--csv',
        ...command,
    ];
    const { rate, cpu } = await measured(o.brokerGroups, async () => {
        const rows = parseRedisBenchmarkCsv(await runTool(binary, args, o.signal));
        return rows[rows.length - 1].requestsPerSecond;
    });
    return {
        tool: `redis-benchmark -c 1 -P ${o.pipeline} ${command[0]}`,
        command: [binary, ...args.map((a) => (a === payload ? `<${o.size} bytes>` : a))].join(' '),
        messagesPerSecond: rate,
        cpu,
    };
}
/** kafka-tools-<v>/lib holds only the tools jar; the rest of its classpath is the broker's. */
export function producerPerformanceClasspath(env = process.env) {
    const vendor = vendorDir(env);
    const version = versions().kafka;
    const tools = join(vendor, `kafka-tools-${version}`, 'lib');
    const broker = join(vendor, `kafka-${version}`, 'lib');
    const hasTools = existsSync(tools) && readdirSync(tools).some((file) => file.startsWith('kafka-tools-'));
    if (!hasTools || !existsSync(broker)) {
        throw new EnvironmentError(`Kafka's ProducerPerformance is not installed (no kafka-tools jar in ${tildify(tools)}). Run: npm run setup`);
    }
    return `${tools}/*:${broker}/*`;
}
/** Records per second acknowledged by the broker, as ProducerPerformance's final line says. */
export async function runProducerPerformance(o) {
    const args = [
        JAVA_HEAP, '-cp', producerPerformanceClasspath(),
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic', o.topic, '--num-records', String(o.messages), '--record-size', String(o.size), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${o.bootstrap}`, `acks=${o.acks}`,
    ];
    const { rate, cpu } = await measured(o.brokerGroups, async () => parseProducerPerformance(await runTool(java(), args, o.signal)).recordsPerSecond);
    return { tool: `ProducerPerformance acks=${o.acks}`, command: ['java', ...args].join(' '), messagesPerSecond: rate, cpu };
}
export function perfTestVersion() {
    const env = parseEnvFile(readFileSync(join(repoRoot(), 'scripts', 'versions.env'), 'utf8'));
    const version = env.PERF_TEST_VERSION;
    if (!version)
        throw new Error('brokerlab: PERF_TEST_VERSION is missing from scripts/versions.env');
    return version;
}
export function perfTestClasspath(env = process.env) {
    const lib = join(vendorDir(env), `perf-test-${perfTestVersion()}`, 'lib');
    if (!existsSync(lib) || !readdirSync(lib).some((file) => file.startsWith('perf-test-'))) {
        throw new EnvironmentError(`RabbitMQ PerfTest ${perfTestVersion()} is not installed (no jars in ${tildify(lib)}). Run: npm run setup`);
    }
    return `${lib}/*`;
}
/**
 * One producer and one consumer (-x 1 -y 1), persistent messages on a durable queue, the
 * consumer acking each message with our prefetch; stops when the producer has sent and the
 * consumer received N (-C N -D N). Messages per second received, end to end, like ours.
 */
export async function runPerfTest(o) {
    const args = [
        JAVA_HEAP, '-cp', perfTestClasspath(),
        'com.rabbitmq.perf.PerfTest',
        '--uri', o.uri, '-x', '1', '-y', '1', '-s', String(o.size), '-C', String(o.messages), '-D', String(o.messages),
        '-u', o.queue, '-f', 'persistent', '-q', String(o.prefetch),
        ...(o.confirmWindow !== undefined ? ['-c', String(o.confirmWindow)] : []),
    ];
    const { rate, cpu } = await measured(o.brokerGroups, async () => parsePerfTestSummary(await runTool(java(), args, o.signal)).receivedPerSecond);
    return {
        tool: `PerfTest -x 1 -y 1${o.confirmWindow !== undefined ? ` -c ${o.confirmWindow}` : ''}`,
        command: ['java', ...args].join(' ').replace(/\/\/[^@/]*@/, '//***@'),
        messagesPerSecond: rate,
        cpu,
    };
}
//# sourceMappingURL=native-tools.js.map