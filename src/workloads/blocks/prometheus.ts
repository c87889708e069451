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
import { type WorkloadContext, waitUntil, withDeadline } from '../types.js';


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

/** Ports a copy may be given: below Linux's ephemeral range (32768 and up), so no outgoing
 *  connection of any process takes the port between the lab's pick and the program's bind. */
const PORT_RANGE = { from: 20_000, to: 32_000 } as const;

/** Whether nothing listens on `port` now (the lab can bind it, and closes it at once). */
function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, HOST, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A port nobody listens on now, for a copy of the program to serve /metrics on: a random one
 *  of PORT_RANGE, else (all tried ones taken) one the kernel picks. */
export async function freePort(random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindable(PORT_RANGE.from + Math.floor(random() * (PORT_RANGE.to - PORT_RANGE.from)));
    if (port !== undefined) return port;
  }
  const port = await bindable(0);
  if (port === undefined) throw new Error('no free port for the program\'s /metrics');
  return port;
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
  const { response, body } = await withDeadline(signal, 5_000, async (request) => {
    const response = await fetch(url, { signal: request });
    return { response, body: (await response.json()) as ApiAnswer<T> };
  });
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
