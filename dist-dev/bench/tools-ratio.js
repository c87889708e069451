/**
 * Section 1 of `npm run bench`: `brokerlab bench` next to each broker's own performance tool,
 * same machine, same run, same message size and count, same shape of workload:
 *
 *   Redis     redis-benchmark, one connection, pipeline 1 or 100 (producer side: both count
 *             the commands Redis answered per second; ours runs without its consumer here)
 *   Kafka     ProducerPerformance acks=1 / acks=all (producer only, so ours is too)
 *   RabbitMQ  PerfTest, one producer and one consumer, confirms off / on (end to end, so ours
 *             counts delivered messages)
 *
 * Target: ours at least half of theirs. Below it, the reason comes from the CPU measured
 * during both runs (cpu.ts, targets.ts explainShortfall).
 */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { endpointOf } from '../brokers/index.js';
import { reason } from '../brokers/net.js';
import { deleteNamespace } from './kafka.js';
import { runPerfTest, runProducerPerformance, runRedisBenchmark } from './native-tools.js';
import { CONFIRM_WINDOW, createVhost, vhostUrl } from './rabbitmq.js';
import { PIPELINE } from './redis.js';
import { BENCHES, brokerGroups, runBench } from './run.js';
import { benchNamespace } from '../namespaces/names.js';
import { deleteKeys } from '../namespaces/redis.js';
import { formatBytes, formatCount, formatCpu, formatRatio } from './table.js';
import { TOOL_RATIO_TARGET, explainShortfall, ratioTo } from './targets.js';
/**
 * Same counts for ours and theirs, large enough that start-up is a small part of the run: at
 * 50,000 records ProducerPerformance's JVM was still compiling its hot paths (19,000-50,000
 * records/s here), at 500,000 it reached about 90,000 records/s on the same machine.
 */
export const TOOL_MESSAGES = { redis: 200_000, rabbitmq: 100_000, kafka: 500_000 };
export const TOOL_SIZES = [100, 1024];
const redisUrl = () => endpointOf('redis').url;
export const COMPARISONS = [
    {
        broker: 'redis',
        variant: 'pubsub-one-by-one',
        metric: 'sent',
        tool: (size, messages, ns, signal) => runRedisBenchmark({ url: redisUrl(), command: 'publish', target: `${ns}:tool-pubsub`, size, messages, pipeline: 1, brokerGroups: brokerGroups('redis'), ...(signal ? { signal } : {}) }),
    },
    {
        broker: 'redis',
        variant: 'pubsub-pipeline',
        metric: 'sent',
        tool: (size, messages, ns, signal) => runRedisBenchmark({ url: redisUrl(), command: 'publish', target: `${ns}:tool-pubsub`, size, messages, pipeline: PIPELINE, brokerGroups: brokerGroups('redis'), ...(signal ? { signal } : {}) }),
    },
    {
        broker: 'redis',
        variant: 'stream-pipeline',
        metric: 'sent',
        tool: (size, messages, ns, signal) => runRedisBenchmark({ url: redisUrl(), command: 'xadd', target: `${ns}:tool-stream-${size}`, size, messages, pipeline: PIPELINE, brokerGroups: brokerGroups('redis'), ...(signal ? { signal } : {}) }),
    },
    ...['confirms-off', 'confirms-on'].map((variant) => ({
        broker: 'rabbitmq',
        variant,
        metric: 'delivered',
        tool: (size, messages, ns, signal) => runPerfTest({
            uri: vhostUrl(endpointOf('rabbitmq'), ns),
            queue: `perftest-${variant}-${size}`,
            size,
            messages,
            ...(variant === 'confirms-on' ? { confirmWindow: CONFIRM_WINDOW } : {}),
            prefetch: 500,
            brokerGroups: brokerGroups('rabbitmq'),
            ...(signal ? { signal } : {}),
        }),
    })),
    ...[['batch100-acks1', '1'], ['batch100-acksall', 'all']].map(([variant, acks]) => ({
        broker: 'kafka',
        variant,
        metric: 'sent',
        tool: async (size, messages, ns, signal) => {
            const topic = `${ns}.tool-acks${acks}-${size}`;
            await withKafkaAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true }));
            return runProducerPerformance({
                bootstrap: endpointOf('kafka').brokers.join(','),
                topic,
                size,
                messages,
                acks,
                brokerGroups: brokerGroups('kafka'),
                ...(signal ? { signal } : {}),
            });
        },
    })),
];
async function withKafkaAdmin(work) {
    const admin = new Kafka({ clientId: 'brokerlab-bench', brokers: endpointOf('kafka').brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
        return await work(admin);
    }
    finally {
        await admin.disconnect().catch(() => { });
    }
}
/** Creates what the tools need under `namespace` and returns how to delete it all again. */
async function prepareToolNamespace(broker, namespace) {
    if (broker === 'rabbitmq')
        return createVhost(endpointOf('rabbitmq'), namespace);
    if (broker === 'kafka')
        return () => withKafkaAdmin((admin) => deleteNamespace(admin, namespace));
    return async () => {
        const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
        try {
            await deleteKeys(redis, `${namespace}*`);
        }
        finally {
            redis.disconnect();
        }
    };
}
export const TOOL_COLUMNS = [
    { header: 'broker' },
    { header: 'ours (brokerlab bench)' },
    { header: 'theirs (same workload)' },
    { header: 'size', align: 'right' },
    { header: 'messages', align: 'right' },
    { header: 'compares', align: 'left' },
    { header: 'ours msg/s', align: 'right' },
    { header: 'theirs msg/s', align: 'right' },
    { header: 'ratio', align: 'right' },
    { header: 'target', align: 'right' },
    { header: 'status' },
    { header: 'CPU ours: client/broker', align: 'right' },
    { header: 'CPU theirs: tool/broker', align: 'right' },
    { header: 'why below target (from the CPU measured)' },
];
export function comparisonRow(r) {
    const bench = BENCHES[r.comparison.broker];
    const head = [bench.label, `${bench.client} ${r.comparison.variant}`, r.theirs?.tool ?? '-', formatBytes(r.size), formatCount(r.messages), r.comparison.metric === 'sent' ? 'acknowledged sends/s' : 'deliveries/s'];
    if (!r.ours || !r.theirs)
        return [...head, '-', '-', '-', `≥ ${TOOL_RATIO_TARGET.toFixed(2)}`, 'MISS', '-', '-', `not measured: ${r.error ?? 'unknown error'}`];
    const ours = r.comparison.metric === 'sent' ? r.ours.sentPerSecond : (r.ours.deliveredPerSecond ?? 0);
    const { ratio, status } = ratioTo(ours, r.theirs.messagesPerSecond);
    const evidence = {
        cores: r.ours.cpu.cores,
        ours: {
            client: bench.client,
            cpu: r.ours.cpu.self,
            eventLoop: r.ours.cpu.eventLoop,
            ...(r.ours.cpu.broker !== undefined ? { broker: r.ours.cpu.broker } : {}),
            other: r.ours.cpu.other,
        },
        theirs: { tool: r.theirs.tool.split(' ')[0] ?? r.theirs.tool, cpu: r.theirs.cpu.children, ...(r.theirs.cpu.broker !== undefined ? { broker: r.theirs.cpu.broker } : {}) },
    };
    return [
        ...head,
        formatCount(ours),
        formatCount(r.theirs.messagesPerSecond),
        formatRatio(ratio),
        `≥ ${TOOL_RATIO_TARGET.toFixed(2)}`,
        status,
        `${formatCpu(r.ours.cpu.self)}/${formatCpu(r.ours.cpu.broker)}`,
        `${formatCpu(r.theirs.cpu.children)}/${formatCpu(r.theirs.cpu.broker)}`,
        status === 'MISS' ? explainShortfall(evidence) : '',
    ];
}
export async function runToolComparisons(ctx, options = {}) {
    const results = [];
    const brokers = options.brokers ?? ['redis', 'rabbitmq', 'kafka'];
    for (const broker of brokers) {
        const namespace = benchNamespace();
        let cleanup;
        try {
            cleanup = await prepareToolNamespace(broker, namespace);
            for (const comparison of COMPARISONS.filter((c) => c.broker === broker)) {
                for (const size of options.sizes ?? TOOL_SIZES) {
                    if (ctx.signal?.aborted)
                        return results;
                    const messages = options.messages?.[broker] ?? TOOL_MESSAGES[broker];
                    const result = { comparison, size, messages };
                    try {
                        ctx.log(`${BENCHES[broker].label} ${comparison.variant}, ${size} B: ours`);
                        const report = await runBench([broker], {
                            variants: [comparison.variant],
                            sizes: [size],
                            messages,
                            consume: comparison.metric === 'delivered',
                            // The tools count from their very first message, start-up and JIT included: so does ours here.
                            warmup: false,
                            ...(ctx.signal ? { signal: ctx.signal } : {}),
                        });
                        result.ours = report.results[0];
                        ctx.log(`${BENCHES[broker].label} ${comparison.variant}, ${size} B: theirs`);
                        result.theirs = await comparison.tool(size, messages, namespace, ctx.signal);
                    }
                    catch (error) {
                        if (ctx.signal?.aborted)
                            return results;
                        result.error = reason(error);
                    }
                    results.push(result);
                }
            }
        }
        catch (error) {
            results.push({ comparison: COMPARISONS.find((c) => c.broker === broker), size: 0, messages: 0, error: reason(error) });
        }
        finally {
            await cleanup?.().catch((error) => ctx.log(`could not delete ${namespace} in ${BENCHES[broker].label}: ${reason(error)}`));
        }
    }
    return results;
}
export async function toolsSection(ctx) {
    const results = await runToolComparisons(ctx);
    return {
        id: 'tools',
        title: '1. brokerlab bench vs each broker\'s own performance tool',
        tables: [{ columns: TOOL_COLUMNS, rows: results.map(comparisonRow) }],
        notes: [
            'ratio = ours / theirs (msg/s), same machine, same run, same size and count; target: at least 0.50.',
            'Redis and Kafka: both sides produce only (redis-benchmark and ProducerPerformance do not consume); RabbitMQ: both sides produce and consume (PerfTest -x 1 -y 1), so deliveries are compared.',
            'CPU in % of one core over each run (client = our Node process, tool = the tool\'s process, broker = its native processes); "why" quotes those figures.',
            'Neither side warms up here: both count from their first message, so start-up effects (JIT compilation, the first metadata request) fall within the same message count. `brokerlab bench` itself warms up first, so its own figures run higher.',
        ],
    };
}
//# sourceMappingURL=tools-ratio.js.map