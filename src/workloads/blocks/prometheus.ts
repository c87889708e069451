/**
 * Prometheus for a run that grades a program's own /metrics: a port per copy of the program,
 * a target file naming those addresses (file-based service discovery, brokers/prometheus.ts),
 * and what Prometheus scraped, read back through its HTTP API.
 *
 * Definitions:
 * - target file: `<targets folder>/<run namespace>.json`, one entry per copy:
 *   `{"targets": ["127.0.0.1:<port>"], "labels": {"run": <namespace>, "copy": "<n>"}}`.
 *   Prometheus notices it within a second (refresh_interval) and scrapes every address every
 *   second; the file is removed when the run ends, and a file left by a brokerlab that was
 *   killed is swept by `brokerlab up` (namespaces/prometheus.ts).
 * - scraped: Prometheus's `up` series for the run is 1 for every copy (it reached /metrics
 *   and parsed it).
 * - a sample's time: Prometheus records the scrape's wall-clock start; the block turns it into
 *   run time (ms since the run started, the history's clock), so checks can put samples next
 *   to phases, kills and restarts.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { prometheusTargetsDir } from '../../brokers/prometheus.js';
import { HOST } from '../../brokers/ports.js';
import type { ScrapedSeries } from '../../runner/observations.js';
import { type WorkloadContext, waitUntil } from '../types.js';


/** What Prometheus learned about a metric family from the program's `# TYPE` lines. */
export interface MetricMetadata {
  metric: string;
  type: string;
  help: string;
}

export interface PrometheusRun {
  /** Prometheus's HTTP API, e.g. http://127.0.0.1:9090. */
  url: string;
  /** The port each copy serves /metrics on (copy 1 first). */
  ports: number[];
  /** The labels every series of this run carries (`run`), besides `copy`. */
  runLabel: string;
  /** Waits until Prometheus has scraped every copy successfully (up == 1) in a scrape that
   *  started after `afterMs` (run time; 0: any scrape), at most `timeoutMs`. What a copy
   *  showed at `afterMs` is then in Prometheus. */
  awaitScraped(afterMs: number, timeoutMs: number): Promise<boolean>;
  /** Every sample of the series whose name matches `nameRegex` (a PromQL regex), from the
   *  run's start until now, in run time. */
  series(nameRegex: string): Promise<ScrapedSeries[]>;
  /** The metric families of the run's targets as Prometheus read them (`# TYPE`, `# HELP`);
   *  only while the program still runs (Prometheus drops a target's metadata with it). */
  metadata(): Promise<MetricMetadata[]>;
}

/** A port nobody listens on now (the kernel's pick), for a copy of the program to serve on. */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The target file's content: one entry per copy, labelled with the run and the copy. */
export function targetFileContent(namespace: string, ports: readonly number[]): string {
  return JSON.stringify(
    ports.map((port, i) => ({ targets: [`${HOST}:${port}`], labels: { run: namespace, copy: String(i + 1) } })),
    null,
    2,
  );
}

/** Where a run's target file lives. */
export function targetFileOf(namespace: string, dir: string = prometheusTargetsDir()): string {
  return join(dir, `${namespace}.json`);
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

async function api<T>(base: string, path: string, params: Record<string, string>, signal: AbortSignal): Promise<T> {
  const url = `${base}${path}?${new URLSearchParams(params).toString()}`;
  const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
  const body = (await response.json()) as ApiAnswer<T>;
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

/** Labels Prometheus adds itself, and the run's own: not the program's. */
const OWN_LABELS = new Set(['__name__', 'run', 'copy', 'instance', 'job']);

export async function openPrometheus(ctx: WorkloadContext, options: { copies: number }): Promise<PrometheusRun> {
  const endpoint = ctx.endpoints.prometheus;
  if (!endpoint) throw new Error('prometheus endpoint missing: the scenario must list "prometheus" among its brokers');
  const base = endpoint.url;
  const ports: number[] = [];
  for (let i = 0; i < options.copies; i++) ports.push(await freePort());

  const dir = prometheusTargetsDir();
  mkdirSync(dir, { recursive: true });
  const file = targetFileOf(ctx.namespace, dir);
  // Written whole, then renamed: Prometheus never reads half a file.
  writeFileSync(`${file}.tmp`, targetFileContent(ctx.namespace, ports));
  renameSync(`${file}.tmp`, file);
  ctx.defer(() => rmSync(file, { force: true }));

  // Run time of a wall-clock instant (Prometheus's timestamps are seconds since the epoch).
  const wallAtRunStart = Date.now() - ctx.history.now();
  const runTime = (epochSeconds: number) => Math.round(epochSeconds * 1000 - wallAtRunStart);
  const selector = `run="${ctx.namespace}"`;

  return {
    url: base,
    ports,
    runLabel: ctx.namespace,
    async awaitScraped(afterMs, timeoutMs) {
      return waitUntil(
        async () => {
          // timestamp() of the selector itself (after an operator it would be the query's time): when
          // each copy's latest scrape started, kept only where that scrape succeeded.
          const up = await api<{ result: Array<{ value: [number, string] }> }>(base, '/api/v1/query', { query: `timestamp(up{${selector}}) and up{${selector}} == 1` }, ctx.signal).catch(() => ({ result: [] }));
          return up.result.filter((r) => runTime(Number(r.value[1])) > afterMs).length >= ports.length;
        },
        timeoutMs,
        ctx.signal,
        250,
      );
    },
    async series(nameRegex) {
      const now = Date.now() / 1000;
      const seconds = Math.ceil(ctx.history.now() / 1000) + 5;
      const data = await api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
        base,
        '/api/v1/query',
        { query: `{__name__=~"${nameRegex}", ${selector}}[${seconds}s]`, time: String(now) },
        ctx.signal,
      );
      return data.result.map((r) => ({
        name: r.metric.__name__ ?? '',
        labels: Object.fromEntries(Object.entries(r.metric).filter(([k]) => !OWN_LABELS.has(k))),
        samples: r.values.map(([t, v]): [number, number] => [runTime(t), Number(v)]),
      }));
    },
    async metadata() {
      const data = await api<Array<{ metric: string; type: string; help: string }>>(base, '/api/v1/targets/metadata', { match_target: `{${selector}}` }, ctx.signal);
      return data.map(({ metric, type, help }) => ({ metric, type, help }));
    },
  };
}
