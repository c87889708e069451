/**
 * A namespace in PostgreSQL: a database of the run's own, named after the run namespace
 * ("bl-2026120307452879oe"), created before the learner's program starts and dropped with
 * everything in it at cleanup (WITH (FORCE): connections the program left open are ended).
 *
 * Why a database and not a schema per run: the program gets a plain connection string
 * (DATABASE_URL) and creates or reads tables with unqualified names, in any language and with
 * any driver; a schema would need a search_path in the URL (`options=-csearch_path=...`),
 * which some drivers do not pass on, and a program that said `public.orders` would write
 * outside its run. A database also isolates LISTEN/NOTIFY channels' data and sequences, and
 * dropping it leaves nothing behind.
 */
import type { Client } from 'pg';
import { NAMESPACE_PREFIX } from './names.js';

/** A database name as an SQL identifier ("bl-..." needs quotes for its hyphens). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The server URL with `database` as its database (the path), everything else kept. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** A client on the server's maintenance database (the URL's own): creating and dropping
 *  databases happens from there. Errors surface through the next query. */
export async function connectPostgres(url: string, timeoutMs = 10_000): Promise<Client> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {}); // surfaced by the next query
  await client.connect();
  return client;
}

export async function createDatabase(client: Client, database: string): Promise<void> {
  await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
}

/** Drops a database and ends the connections still on it; false when there was none. */
export async function dropDatabase(client: Client, database: string): Promise<boolean> {
  const existed = (await listDatabases(client)).includes(database);
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  return existed;
}

/** The databases whose names start with "bl-". */
export async function listDatabases(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [NAMESPACE_PREFIX]);
  return rows.map((r) => r.datname);
}

/** Ends every connection to a brokerlab database (names starting with `prefix`) but the
 *  caller's own; returns how many. What a server restart does to its clients, for a server
 *  brokerlab cannot restart (restart-broker on an external PostgreSQL). */
export async function endConnections(client: Client, prefix = NAMESPACE_PREFIX): Promise<number> {
  const { rows } = await client.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE starts_with(datname, $1) AND pid <> pg_backend_pid()', [prefix]);
  return rows.filter((r) => r.ended).length;
}
