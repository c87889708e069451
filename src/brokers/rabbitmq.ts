/**
 * RabbitMQ 3.10 from Debian, run as our own node (never the package's system service):
 * every RABBITMQ_* location points under brokers/rabbitmq/, HOME too (Erlang keeps its cookie
 * there), and rabbitmqctl is always called with that same environment so it finds the node.
 * Plugins: management (HTTP API on 15672, used to create each run's vhost) and prometheus
 * (/metrics on 15692).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import type { BrokerDefinition, NativeDirs, NativeLaunch, NativeState } from './definition.js';
import { displayUrl, httpGet, isListening, withTimeout } from './net.js';
import { EPMD_PORT, HOST, PORTS, portsOf } from './ports.js';
import { findExecutable, run, signalGroup } from './process.js';
import type { Endpoints } from './types.js';

/** Debian's real scripts; /usr/sbin/rabbitmq-* are wrappers that switch to the rabbitmq user. */
export const RABBITMQ_BIN = '/usr/lib/rabbitmq/bin';
/** Our node's name, distinct from the package's default "rabbit@<host>". */
export const RABBITMQ_NODENAME = 'brokerlab@localhost';

/** Plugins enabled natively and in compose. */
export const RABBITMQ_PLUGINS = ['rabbitmq_management', 'rabbitmq_prometheus'] as const;

/**
 * rabbitmq.conf lines shared by native and compose (a unit test checks compose has them).
 * Statistics every second instead of every five, so consumer details show up in the
 * management API quickly enough for checks to read them.
 */
export const RABBITMQ_SHARED_CONF = ['collect_statistics_interval = 1000'] as const;

const DEFAULT: Endpoints['rabbitmq'] = {
  amqpUrl: `amqp://guest:guest@${HOST}:${PORTS.rabbitmq.amqp}`,
  managementUrl: `http://${HOST}:${PORTS.rabbitmq.management}`,
  username: 'guest',
  password: 'guest',
};

function nativeConf(): string {
  return [
    '# Written by brokerlab on every start; edits are overwritten.',
    `listeners.tcp.default = ${HOST}:${PORTS.rabbitmq.amqp}`,
    `management.tcp.ip = ${HOST}`,
    `management.tcp.port = ${PORTS.rabbitmq.management}`,
    `prometheus.tcp.ip = ${HOST}`,
    `prometheus.tcp.port = ${PORTS.rabbitmq.prometheus}`,
    // guest/guest may log in from loopback only (RabbitMQ's default; we only listen there).
    'loopback_users.guest = true',
    ...RABBITMQ_SHARED_CONF,
    '',
  ].join('\n');
}

/**
 * The environment for rabbitmq-server, rabbitmqctl and epmd alike. Every path the Debian
 * defaults would put under /var/lib/rabbitmq, /var/log/rabbitmq or /etc/rabbitmq is ours.
 */
export function rabbitmqEnv(dirs: NativeDirs): Record<string, string> {
  return rabbitmqNodeEnv(dirs, { home: join(dirs.brokerDir, 'home'), nodename: RABBITMQ_NODENAME, distPort: PORTS.rabbitmq.distribution });
}

/** Who a RabbitMQ node is: its name, its Erlang distribution port, and the HOME holding its cookie. */
export interface RabbitmqNodeIdentity {
  home: string;
  nodename: string;
  distPort: number;
}

/** rabbitmqEnv for any node (the single one, or a node of the cluster: rabbitmq-cluster.ts). */
export function rabbitmqNodeEnv(dirs: NativeDirs, node: RabbitmqNodeIdentity): Record<string, string> {
  return {
    HOME: node.home,
    RABBITMQ_NODENAME: node.nodename,
    RABBITMQ_CONF_ENV_FILE: join(dirs.configDir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dirs.configDir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dirs.configDir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dirs.configDir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dirs.dataDir, 'mnesia'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dirs.dataDir, 'plugins-expand'),
    RABBITMQ_PID_FILE: join(dirs.dataDir, 'rabbitmq.pid'),
    RABBITMQ_LOG_BASE: dirs.logsDir,
    // "-" = standard output, which the native runtime sends to logs/rabbitmq.log.
    RABBITMQ_LOGS: '-',
    RABBITMQ_DIST_PORT: String(node.distPort),
    // Erlang distribution and epmd on loopback only, like everything else.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: HOST,
  };
}

function rabbitmqctl(dirs: NativeDirs, args: string[], timeoutMs = 30_000): ReturnType<typeof run> {
  return rabbitmqctlWith(rabbitmqEnv(dirs), args, timeoutMs);
}

/** rabbitmqctl with a node's environment (rabbitmqNodeEnv): it finds that node and its cookie. */
export function rabbitmqctlWith(env: Record<string, string>, args: string[], timeoutMs = 30_000): ReturnType<typeof run> {
  return run(join(RABBITMQ_BIN, 'rabbitmqctl'), args, { env: { ...process.env, ...env }, timeoutMs });
}

/** Throws EnvironmentError when Debian's RabbitMQ scripts are missing. */
export function checkRabbitmqInstalled(): void {
  if (!existsSync(join(RABBITMQ_BIN, 'rabbitmq-server'))) {
    throw new EnvironmentError(`RabbitMQ is not installed (no ${RABBITMQ_BIN}/rabbitmq-server). Run: npm run setup`);
  }
}

/** Stops the epmd a node started, once no Erlang node (another RabbitMQ, a CLI tool) uses it. */
export async function stopEpmdIfUnused(env: Record<string, string>): Promise<void> {
  const names = await epmdNames({ ...process.env, ...env });
  if (names && names.length === 0) await run(findExecutable(['epmd']) ?? 'epmd', ['-kill'], { env: { ...process.env, ...env }, timeoutMs: 5_000 });
}

/** Names registered with the local epmd ("brokerlab", "rabbitmqcli-123-..."), or undefined if epmd is not running. */
async function epmdNames(env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  const epmd = findExecutable(['epmd']);
  if (!epmd) return undefined;
  const result = await run(epmd, ['-names'], { env, timeoutMs: 5_000 });
  if (result.code !== 0) return undefined;
  return [...result.output.matchAll(/^name (\S+) at port/gm)].map((m) => m[1] ?? '');
}

/**
 * Writes a node's config files and returns its launch: the single node's and each node of the
 * cluster's (rabbitmq-cluster.ts). `env` is the node's rabbitmqNodeEnv.
 */
export async function prepareRabbitmqNode(
  dirs: NativeDirs,
  env: Record<string, string>,
  conf: string,
  plugins: readonly string[],
  previous: NativeState | undefined,
): Promise<{ launch: NativeLaunch; extra: Record<string, unknown> }> {
  makeDir(env.HOME!);
  makeDir(env.RABBITMQ_MNESIA_BASE!);
  writeFileSync(env.RABBITMQ_CONFIG_FILE!, conf);
  // An empty env file keeps /etc/rabbitmq/rabbitmq-env.conf from changing our node.
  writeFileSync(env.RABBITMQ_CONF_ENV_FILE!, '# brokerlab: intentionally empty\n');
  // Same result as `rabbitmq-plugins enable --offline rabbitmq_management rabbitmq_prometheus`
  // (which writes exactly this file) without booting an extra Erlang VM on every start.
  writeFileSync(env.RABBITMQ_ENABLED_PLUGINS_FILE!, `[${plugins.join(',')}].\n`);
  // The node starts epmd if none runs; remember that so `down` can stop it again. An epmd
  // left over from our crashed previous run is still ours.
  const epmdStartedByUs = !(await isListening(EPMD_PORT)) || previous?.extra.epmdStartedByUs === true;
  return {
    launch: { command: join(RABBITMQ_BIN, 'rabbitmq-server'), args: [], env, cwd: dirs.dataDir },
    extra: { epmdStartedByUs },
  };
}

export const rabbitmq: BrokerDefinition<'rabbitmq'> = {
  name: 'rabbitmq',
  label: 'RabbitMQ',
  ports: portsOf('rabbitmq'),
  defaultEndpoint: DEFAULT,
  externalEnv: 'BROKERLAB_AMQP_URL',
  startTimeoutMs: 60_000,

  fromEnv(env) {
    const raw = env.BROKERLAB_AMQP_URL?.trim();
    if (!raw) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`BROKERLAB_AMQP_URL is not a URL: "${raw}" (expected e.g. ${DEFAULT.amqpUrl})`);
    }
    // amqplib's defaults when the URL has no credentials.
    const username = url.username ? decodeURIComponent(url.username) : 'guest';
    const password = url.password ? decodeURIComponent(url.password) : 'guest';
    const credentials = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
    // No vhost in amqpUrl: the runner appends each run's own vhost.
    const amqpUrl = `${url.protocol}//${credentials}${url.host}`;
    const scheme = url.protocol === 'amqps:' ? 'https' : 'http';
    const managementUrl = (
      env.BROKERLAB_RABBITMQ_MANAGEMENT_URL?.trim() || `${scheme}://${url.hostname}:${PORTS.rabbitmq.management}`
    ).replace(/\/+$/, '');
    const vhost = env.BROKERLAB_RABBITMQ_VHOST?.trim();
    return { amqpUrl, managementUrl, username, password, ...(vhost ? { vhost } : {}) };
  },
  url: (endpoint) => displayUrl(endpoint.amqpUrl),
  externalExample: () => `BROKERLAB_AMQP_URL=${DEFAULT.amqpUrl}`,
  awaited: (endpoint) =>
    `an AMQP connection on ${new URL(endpoint.amqpUrl).host} and GET /api/overview on ${new URL(endpoint.managementUrl).host}`,

  async probe(endpoint, timeoutMs) {
    const amqp = await import('amqplib');
    // A confined user may open only its own vhost ("/" would be refused).
    const url = endpoint.vhost ? `${endpoint.amqpUrl}/${encodeURIComponent(endpoint.vhost)}` : endpoint.amqpUrl;
    const connecting = amqp.connect(url, { timeout: timeoutMs });
    try {
      const connection = await withTimeout(connecting, timeoutMs, 'AMQP connection');
      await connection.close();
    } catch (error) {
      connecting.then((late) => late.close()).catch(() => {}); // a late connection must not leak
      throw error;
    }
    const auth = Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64');
    const body = await httpGet(`${endpoint.managementUrl}/api/overview`, timeoutMs, { authorization: `Basic ${auth}` });
    if (!body.includes('rabbitmq_version')) throw new Error('management API /api/overview gave no rabbitmq_version');
  },

  native: {
    stopGraceMs: 30_000,
    logFile: (dirs) => join(dirs.logsDir, 'rabbitmq.log'),
    checkInstalled: checkRabbitmqInstalled,
    prepare: (dirs, previous) => prepareRabbitmqNode(dirs, rabbitmqEnv(dirs), nativeConf(), RABBITMQ_PLUGINS, previous),
    async stop(dirs, state) {
      const result = await rabbitmqctl(dirs, ['stop']);
      if (result.code !== 0) signalGroup(state.pgid, 'SIGTERM'); // beam.smp treats SIGTERM as a clean stop too
    },
    async afterStop(dirs, state) {
      if (state.extra.epmdStartedByUs !== true) return;
      // Leave epmd alone while any other Erlang node (another RabbitMQ, a CLI tool) uses it.
      await stopEpmdIfUnused(rabbitmqEnv(dirs));
    },
  },
};
