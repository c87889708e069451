/**
 * PostgreSQL (the newest version under /usr/lib/postgresql, Debian's 15 here), used by
 * exercises for outboxes, idempotency tables and LISTEN/NOTIFY. Natively: our own cluster,
 * created once with initdb (trust auth, superuser "postgres"), listening on 127.0.0.1:5432.
 *
 * PostgreSQL refuses to run as root. When brokerlab runs as root, initdb, postgres and
 * pg_ctl run as the "postgres" system user, and the cluster folder belongs to that user. If
 * that user cannot reach $BROKERLAB_HOME (root's home is usually mode 700), the cluster lives
 * in /var/lib/postgresql/brokerlab/<hash of the home> instead, with a symlink from
 * brokers/postgres/data/pgdata, rather than brokerlab loosening permissions on root's home.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { BrokerDefinition, NativeDirs } from './definition.js';
import { displayUrl, hostPort } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { run } from './process.js';
import { tildify } from './versions.js';

const PG_ROOT = '/usr/lib/postgresql';
const DEFAULT_URL = `postgres://postgres@${HOST}:${PORTS.postgres.postgres}/postgres`;

/**
 * Server settings shared by native and compose (compose passes them as `-c` flags too).
 * fsync=off: a lab database need not survive a power cut, and it makes initdb and every
 * commit much faster. Killing the postgres process (a fault the lab injects) still loses
 * nothing: committed WAL is already with the kernel.
 */
export const POSTGRES_SHARED_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
};

/** The bin folder of the newest installed PostgreSQL, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((entry) => /^\d+(\.\d+)?$/.test(entry) && existsSync(join(PG_ROOT, entry, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], 'bin');
}

interface PgUser {
  uid: number;
  gid: number;
}

/** Whom to run PostgreSQL as: ourselves, or the postgres system user when we are root. */
function pgUser(): PgUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new EnvironmentError(
      'PostgreSQL cannot run as root and there is no "postgres" system user to run it as. Run: npm run setup (it installs the postgresql package, which creates that user)',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** True when `user` can reach `dir` (search permission on it and every folder above). */
function canReach(dir: string, user: PgUser): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** Where the cluster (pgdata) and its socket folder (run) live; see the module comment. */
function clusterRoot(dirs: NativeDirs, user: PgUser | undefined): string {
  if (!user || canReach(dirs.dataDir, user)) return dirs.dataDir;
  const hash = createHash('sha256').update(dirs.home).digest('hex').slice(0, 12);
  const base = existsSync('/var/lib/postgresql') ? '/var/lib/postgresql/brokerlab' : join(tmpdir(), 'brokerlab-postgres');
  return join(base, hash);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Creates `dir` owned by `user` (mode 700, as initdb wants for the data folder). */
function ownedDir(dir: string, user: PgUser | undefined): void {
  makeDir(dir);
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
}

function cluster(dirs: NativeDirs): { user: PgUser | undefined; root: string; pgdata: string; socketDir: string } {
  const user = pgUser();
  const root = clusterRoot(dirs, user);
  return { user, root, pgdata: join(root, 'pgdata'), socketDir: join(root, 'run') };
}

export const postgres: BrokerDefinition<'postgres'> = {
  name: 'postgres',
  label: 'PostgreSQL',
  ports: portsOf('postgres'),
  defaultEndpoint: { url: DEFAULT_URL },
  externalEnv: 'BROKERLAB_POSTGRES_URL',
  startTimeoutMs: 30_000,

  fromEnv(env) {
    const url = env.BROKERLAB_POSTGRES_URL?.trim();
    return url ? { url } : undefined;
  },
  url: (endpoint) => displayUrl(endpoint.url),
  externalExample: () => `BROKERLAB_POSTGRES_URL=${DEFAULT_URL}`,
  awaited: (endpoint) => `select 1 on ${hostPort(endpoint.url)}`,

  async probe(endpoint, timeoutMs) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({
      connectionString: endpoint.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    client.on('error', () => {}); // reported through the rejected promises below
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => {});
    }
  },

  native: {
    stopGraceMs: 20_000,
    logFile: (dirs) => join(dirs.logsDir, 'postgres.log'),
    checkInstalled() {
      if (!postgresBinDir()) {
        throw new EnvironmentError(`PostgreSQL is not installed (no ${PG_ROOT}/<version>/bin/postgres). Run: npm run setup`);
      }
      pgUser(); // throws if we are root without a postgres user
    },
    async prepare(dirs) {
      const bin = postgresBinDir()!;
      const { user, root, pgdata, socketDir } = cluster(dirs);
      const asUser = user ? { uid: user.uid, gid: user.gid } : {};
      if (root !== dirs.dataDir) {
        ownedDir(root, user);
        // A signpost from where everything else lives to where the cluster had to go.
        const link = join(dirs.dataDir, 'pgdata');
        if (!existsSync(link) && !isSymlink(link)) symlinkSync(pgdata, link);
      }
      ownedDir(socketDir, user);
      if (!existsSync(join(pgdata, 'PG_VERSION'))) {
        ownedDir(pgdata, user);
        const log = join(dirs.logsDir, 'initdb.log');
        const args = ['-D', pgdata, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--no-locale', '--no-sync'];
        const result = await run(join(bin, 'initdb'), args, { ...asUser, cwd: pgdata, timeoutMs: 120_000 });
        appendFileSync(log, result.output);
        if (result.code !== 0) {
          throw new EnvironmentError(`initdb failed for ${tildify(pgdata)}; see ${tildify(log)}`);
        }
      }
      const settings: Record<string, string> = {
        listen_addresses: HOST,
        port: String(PORTS.postgres.postgres),
        unix_socket_directories: socketDir,
        ...POSTGRES_SHARED_SETTINGS,
      };
      const flags = Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
      return {
        launch: { command: join(bin, 'postgres'), args: ['-D', pgdata, ...flags], cwd: pgdata, ...asUser },
        extra: { pgdata }, // `down` stops exactly this cluster, wherever it had to go
      };
    },
    async stop(dirs, state) {
      const bin = postgresBinDir();
      const user = pgUser();
      const pgdata = typeof state.extra.pgdata === 'string' ? state.extra.pgdata : cluster(dirs).pgdata;
      const result = bin
        ? await run(join(bin, 'pg_ctl'), ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '20'], {
            ...(user ? { uid: user.uid, gid: user.gid } : {}),
            cwd: '/',
            timeoutMs: 25_000,
          })
        : { code: 1, output: '' };
      // SIGINT is what pg_ctl's fast mode sends to the postmaster; do it ourselves if pg_ctl failed.
      if (result.code !== 0) {
        try {
          process.kill(state.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
    },
  },
};
