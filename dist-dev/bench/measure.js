/**
 * The driver: sends one variant's messages through a Pipe as fast as the variant allows,
 * records each message's send time by its sequence number, and on delivery the time since.
 * Identical for every broker, so the numbers compare.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { InterruptedError } from '../errors.js';
import { sleep } from '../brokers/process.js';
import { startCpuMeter } from './cpu.js';
import { makePayload, makeTemplate, seqOf } from './payload.js';
import { megabytesPerSecond, perSecond, summarizeLatencies } from './stats.js';
/** Without --messages or --duration a variant sends the broker's default count, for at most this long. */
export const DEFAULT_CAP_MS = 3_000;
/**
 * --messages alone: exactly that many (a comparison needs the same count). --duration alone:
 * as many as fit. Both: whichever ends first. Neither: the broker's default count, capped at
 * DEFAULT_CAP_MS so a slow variant (one message per round trip) cannot stretch the run.
 */
export function limitsFor(defaultMessages, requested) {
    if (requested.messages === undefined && requested.durationMs === undefined)
        return { messages: defaultMessages, durationMs: DEFAULT_CAP_MS };
    return {
        ...(requested.messages !== undefined ? { messages: requested.messages } : {}),
        ...(requested.durationMs !== undefined ? { durationMs: requested.durationMs } : {}),
    };
}
const DEFAULT_DRAIN_IDLE_MS = 5_000;
/** Warm-up messages before each measurement: ten sends' worth, within these bounds. */
const WARMUP_MIN = 200;
const WARMUP_MAX = 1_000;
export async function measureVariant(bench, session, variant, size, options) {
    const template = makeTemplate(size);
    const sentAt = [];
    /** Sequence numbers below this were the warm-up: delivered, but not counted. */
    let firstCounted = 0;
    let measuring = false;
    const received = new Set();
    const latencies = [];
    let delivered = 0;
    let lastDelivery = 0;
    const onDelivered = (body) => {
        const now = performance.now();
        const seq = seqOf(body);
        if (seq === undefined || seq >= sentAt.length || received.has(seq))
            return; // foreign or redelivered
        received.add(seq);
        if (!measuring || seq < firstCounted)
            return;
        delivered++;
        latencies.push(now - sentAt[seq]);
        lastDelivery = now;
    };
    const aborted = () => options.signal?.aborted === true;
    const counted = () => sentAt.length - firstCounted;
    /** Sends until `more` says stop, one variant batch at a time. */
    const sendWhile = async (more, limit) => {
        while (more()) {
            const count = limit === undefined ? variant.batch : Math.min(variant.batch, limit - counted());
            const payloads = [];
            const now = performance.now();
            for (let i = 0; i < count; i++) {
                payloads.push(makePayload(sentAt.length, template));
                sentAt.push(now);
            }
            await pipe.send(payloads);
            // A send that resolves at once (fire-and-forget publishing) would otherwise never let
            // the consumer's socket be read until the producer is done.
            await yieldToIo();
        }
    };
    /** After the last send: until everything sent arrived, or nothing arrived for a while. */
    const drain = async () => {
        if (!options.consume)
            return;
        const idleMs = options.drainIdleMs ?? DEFAULT_DRAIN_IDLE_MS;
        let lastCount = -1;
        let lastProgress = performance.now();
        while (received.size < sentAt.length && !aborted()) {
            if (received.size !== lastCount) {
                lastCount = received.size;
                lastProgress = performance.now();
            }
            else if (performance.now() - lastProgress > idleMs)
                break;
            await sleep(5);
        }
    };
    const pipe = await session.start(variant, size, options.consume ? onDelivered : undefined);
    try {
        // Warm-up, not counted: the first messages pay for JIT compilation, connection buffers
        // growing and the broker's first allocations, and would otherwise make whichever variant
        // runs first look slow.
        if (options.warmup !== false) {
            const warmup = Math.min(WARMUP_MAX, Math.max(WARMUP_MIN, variant.batch * 10));
            await sendWhile(() => !aborted() && sentAt.length < warmup, warmup);
            await pipe.flush();
            await drain();
            firstCounted = sentAt.length;
        }
        measuring = true;
        const meter = startCpuMeter(options.brokerGroups);
        const started = performance.now();
        await sendWhile(() => !aborted() &&
            (options.messages === undefined || counted() < options.messages) &&
            (options.durationMs === undefined || performance.now() - started < options.durationMs), options.messages);
        await pipe.flush();
        const sendDone = performance.now();
        await drain();
        const cpu = meter.stop();
        if (aborted())
            throw new InterruptedError();
        const sent = counted();
        const sentPerSecond = perSecond(sent, sendDone - started);
        const deliveredPerSecond = options.consume ? perSecond(delivered, lastDelivery - started) : undefined;
        const latencyMs = summarizeLatencies(latencies);
        return {
            broker: bench.name,
            variant: variant.id,
            label: variant.label,
            size,
            sent,
            delivered,
            lost: options.consume ? sent - delivered : 0,
            sentPerSecond,
            ...(deliveredPerSecond !== undefined ? { deliveredPerSecond } : {}),
            mbPerSecond: megabytesPerSecond(deliveredPerSecond ?? sentPerSecond, size),
            ...(latencyMs ? { latencyMs } : {}),
            elapsedMs: Math.max(sendDone, lastDelivery) - started,
            cpu,
        };
    }
    finally {
        await pipe.stop();
    }
}
//# sourceMappingURL=measure.js.map