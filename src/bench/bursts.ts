/**
 * The paced counterpart of measure.ts: `bursts` bursts of `burst` messages, one burst every
 * `intervalMs`, each burst handed to the client as fast as it allows; one consumer. The
 * week-7 "compare brokers" exercise grades a learner's measurement of this workload against
 * the lab's own, made with this driver over the same broker modules as `brokerlab bench`.
 *
 * Definitions (the exercise's README states them to the learner):
 * - latency of a message: the consumer's receive time minus the time its burst was handed to
 *   the client (end to end: a burst's last message waits for the whole burst to go through);
 * - throughput: messages consumed / (last consumed - first published), per second.
 * Pacing makes the throughput a property of the workload (the consumer keeps up or not)
 * rather than of the client library, so a correct program in any language lands near the lab.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../brokers/process.js';
import { makePayload, makeTemplate, seqOf } from './payload.js';
import { perSecond, summarizeLatencies } from './stats.js';
import type { Session, Variant } from './types.js';

export interface BurstWorkload {
  /** Messages in all. */
  messages: number;
  /** Bytes per message. */
  size: number;
  /** Messages per burst. */
  burst: number;
  /** From the start of one burst to the start of the next. */
  intervalMs: number;
}

export interface BurstResult {
  /** Messages consumed (each counted once). */
  count: number;
  /** Messages per second, first publish to last consume. */
  throughput: number;
  p50: number;
  p99: number;
  /** First publish to last consume. */
  elapsedMs: number;
}

export async function measureBursts(session: Session, variant: Variant, workload: BurstWorkload, options: { drainIdleMs: number; signal: AbortSignal }): Promise<BurstResult> {
  const template = makeTemplate(workload.size);
  const sentAt: number[] = [];
  const received = new Set<number>();
  const latencies: number[] = [];
  let lastDelivery = 0;
  const pipe = await session.start(variant, workload.size, (body) => {
    const now = performance.now();
    const seq = seqOf(body);
    if (seq === undefined || seq >= sentAt.length || received.has(seq)) return;
    received.add(seq);
    latencies.push(now - sentAt[seq]!);
    lastDelivery = now;
  });
  try {
    const started = performance.now();
    for (let first = 0; first < workload.messages && !options.signal.aborted; first += workload.burst) {
      const due = started + (first / workload.burst) * workload.intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const payloads: Buffer[] = [];
      const now = performance.now();
      for (let i = first; i < Math.min(first + workload.burst, workload.messages); i++) {
        payloads.push(makePayload(i, template));
        sentAt.push(now);
      }
      await pipe.send(payloads);
    }
    await pipe.flush();
    let lastCount = -1;
    let lastProgress = performance.now();
    while (received.size < sentAt.length && !options.signal.aborted) {
      if (received.size !== lastCount) {
        lastCount = received.size;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > options.drainIdleMs) break;
      await sleep(5);
    }
    const elapsedMs = lastDelivery - started;
    const summary = summarizeLatencies(latencies);
    return { count: received.size, throughput: perSecond(received.size, elapsedMs), p50: summary?.p50 ?? Number.NaN, p99: summary?.p99 ?? Number.NaN, elapsedMs };
  } finally {
    await pipe.stop();
  }
}
