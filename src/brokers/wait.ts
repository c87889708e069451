/**
 * Wait strategies: poll a protocol-level probe until the broker answers, with an explicit
 * overall timeout. A failure says exactly what was awaited, where, and which log to read:
 *
 *   Kafka did not become ready within 60s (waited for describeCluster on 127.0.0.1:9092);
 *   see ~/.brokerlab/brokers/kafka/logs/server.log
 */
import { EnvironmentError, InterruptedError } from '../errors.js';
import { reason } from './net.js';
import { sleep } from './process.js';

/** How often the probe is retried while a broker starts. */
const POLL_INTERVAL_MS = 250;
/** The longest a single probe attempt may take; a hung attempt must not eat the whole budget. */
const MAX_ATTEMPT_MS = 5_000;

export interface WaitSpec {
  /** Human name: "Kafka". */
  label: string;
  /** What the probe checks, and where: "describeCluster on 127.0.0.1:9092". */
  awaited: string;
  /** One attempt; rejects while not ready. */
  probe: (attemptTimeoutMs: number) => Promise<void>;
  timeoutMs: number;
  /** Where to look next, named in the failure message: a log file's path or a command. */
  log?: string;
  /** For processes we started: returns false once it died, so we stop waiting at once. */
  stillRunning?: () => boolean;
  /** Ctrl-C / SIGTERM: stop waiting (the caller stops what it started). */
  signal?: AbortSignal;
}

/** "60s", "7.2s", "0.4s": seconds for messages. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

/** Resolves with the milliseconds it took; throws EnvironmentError on timeout or early exit. */
export async function waitUntilReady(spec: WaitSpec): Promise<number> {
  const started = Date.now();
  const deadline = started + spec.timeoutMs;
  const seeLog = spec.log ? `; see ${spec.log}` : '';
  let lastError: unknown;
  for (;;) {
    if (spec.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${spec.label} to start`);
    const left = deadline - Date.now();
    try {
      await spec.probe(Math.max(200, Math.min(MAX_ATTEMPT_MS, left)));
      return Date.now() - started;
    } catch (error) {
      lastError = error;
    }
    if (spec.stillRunning && !spec.stillRunning()) {
      throw new EnvironmentError(
        `${spec.label} exited while starting (waited for ${spec.awaited})${seeLog}`,
        `last probe error: ${reason(lastError)}`,
      );
    }
    if (Date.now() + POLL_INTERVAL_MS >= deadline) {
      throw new EnvironmentError(
        `${spec.label} did not become ready within ${seconds(spec.timeoutMs)} (waited for ${spec.awaited})${seeLog}`,
        `last probe error: ${reason(lastError)}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}
