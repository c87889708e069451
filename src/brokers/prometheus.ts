/**
 * Prometheus (the Debian package natively; the same version's image in compose), scraping
 * RabbitMQ's rabbitmq_prometheus endpoint and whatever /metrics endpoints runs list in the
 * targets folder. A run that grades a program's metrics writes one file there naming the
 * program's /metrics addresses (file-based service discovery: Prometheus notices a new file
 * within a second) and removes it when it ends, so the lab and Prometheus never need a
 * restart or reload between runs. Scrapes every second: a check compares the scraped numbers
 * with the lab's own counts, and a run cannot wait the default 15 s per sample.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { BrokerDefinition } from './definition.js';
import { displayUrl, hostPort, httpGet } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { findExecutable } from './process.js';
import { brokerlabHome } from './versions.js';

const DEFAULT_URL = `http://${HOST}:${PORTS.prometheus.web}`;

/** How often Prometheus scrapes every target. */
export const PROMETHEUS_SCRAPE_INTERVAL_S = 1;

/** Where runs put their target files (`<run>.json`): $BROKERLAB_HOME/prometheus-targets. */
export function prometheusTargetsDir(home: string = brokerlabHome()): string {
  return join(home, 'prometheus-targets');
}

/**
 * prometheus.yml, for a targets folder as Prometheus sees it (the host's natively, the mounted
 * one in compose). RabbitMQ's endpoint is scraped whether RabbitMQ runs or not (a target that
 * is down is simply recorded as down).
 */
export function prometheusConfig(targetsDir: string): string {
  return [
    'global:',
    `  scrape_interval: ${PROMETHEUS_SCRAPE_INTERVAL_S}s`,
    `  evaluation_interval: ${PROMETHEUS_SCRAPE_INTERVAL_S}s`,
    'scrape_configs:',
    '  - job_name: rabbitmq',
    '    static_configs:',
    `      - targets: ['${HOST}:${PORTS.rabbitmq.prometheus}']`,
    '  - job_name: learner',
    '    file_sd_configs:',
    `      - files: ['${targetsDir}/*.json']`,
    '        refresh_interval: 1s',
    '',
  ].join('\n');
}

/** The command-line flags, the same in both runtimes but for the paths. */
export function prometheusArgs(configFile: string, dataDir: string): string[] {
  return [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    // A lab keeps an hour: enough for any run and its report, small on disk.
    '--storage.tsdb.retention.time=1h',
    `--web.listen-address=${HOST}:${PORTS.prometheus.web}`,
  ];
}

function prometheusBinary(): string | undefined {
  return findExecutable(['prometheus']);
}

export const prometheus: BrokerDefinition<'prometheus'> = {
  name: 'prometheus',
  label: 'Prometheus',
  ports: portsOf('prometheus'),
  defaultEndpoint: { url: DEFAULT_URL },
  externalEnv: 'BROKERLAB_PROMETHEUS_URL',
  startTimeoutMs: 30_000,

  fromEnv(env) {
    const url = env.BROKERLAB_PROMETHEUS_URL?.trim().replace(/\/+$/, '');
    return url ? { url } : undefined;
  },
  url: (endpoint) => displayUrl(endpoint.url),
  externalExample: () => `BROKERLAB_PROMETHEUS_URL=${DEFAULT_URL}`,
  awaited: (endpoint) => `GET /-/ready on ${hostPort(endpoint.url)}`,

  async probe(endpoint, timeoutMs) {
    await httpGet(`${endpoint.url}/-/ready`, timeoutMs);
  },

  native: {
    stopGraceMs: 10_000,
    logFile: (dirs) => join(dirs.logsDir, 'prometheus.log'),
    checkInstalled() {
      if (!prometheusBinary()) throw new EnvironmentError('Prometheus is not installed (no prometheus on PATH). Run: npm run setup');
    },
    async prepare(dirs) {
      const targets = prometheusTargetsDir(dirs.home);
      mkdirSync(targets, { recursive: true });
      const config = join(dirs.configDir, 'prometheus.yml');
      writeFileSync(config, prometheusConfig(targets));
      return { launch: { command: prometheusBinary() ?? 'prometheus', args: prometheusArgs(config, dirs.dataDir), cwd: dirs.dataDir } };
    },
  },
};
