/**
 * PostgreSQL for one run: a database of its own (namespaces/postgres.ts), created before the
 * learner's program starts and dropped at cleanup, always (also on Ctrl-C); the program gets
 * its URL (DATABASE_URL). The lab's own queries go through a small pool on that database: a
 * pool drops a connection that broke (a `restart-broker` fault on postgres) and opens a new
 * one for the next query, so the lab keeps reading the tables after the restart.
 */
import type { Pool, QueryResultRow } from 'pg';
import { scopedNamespace } from '../../namespaces/names.js';
import { connectPostgres, createDatabase, databaseUrl, dropDatabase } from '../../namespaces/postgres.js';
import type { WorkloadContext } from '../types.js';

export interface PostgresRun {
  /** The run's database URL: what the learner's program gets (DATABASE_URL). */
  url: string;
  database: string;
  /** A query on the run's database; throws while the server is down (the pool reconnects). */
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The lab's own pool on the run's database, e.g. for a transaction that holds locks. */
  pool: Pool;
}

export async function openPostgres(ctx: WorkloadContext): Promise<PostgresRun> {
  const serverUrl = ctx.endpoints.postgres?.url;
  if (!serverUrl) throw new Error('postgres endpoint missing');
  const database = scopedNamespace(ctx.namespace, ctx.shared, '.');
  const admin = await connectPostgres(serverUrl);
  try {
    await createDatabase(admin, database);
  } finally {
    await admin.end().catch(() => {});
  }
  // Dropped from a fresh connection: a broker restart during the run ended the first one.
  ctx.defer(async () => {
    const client = await connectPostgres(serverUrl);
    try {
      await dropDatabase(client, database);
    } finally {
      await client.end().catch(() => {});
    }
  });
  const url = databaseUrl(serverUrl, database);
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000, query_timeout: 10_000, idleTimeoutMillis: 5_000 });
  pool.on('error', () => {}); // an idle connection the restart broke: the pool replaces it
  // Cleanups run in reverse: the pool closes before the database is dropped.
  ctx.defer(() => pool.end().catch(() => {}));
  return {
    url,
    database,
    pool,
    async query<R extends QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<R>(sql, params)).rows;
    },
  };
}
