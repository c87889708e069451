import { describe, expect, it } from 'vitest';
import { staleNamespaceOf } from '../../src/namespaces/names.js';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('stale run namespaces', () => {
  it('finds the run namespace of a key, vhost, topic or group whose run is long over', () => {
    expect(staleNamespaceOf('bl-20261122100000abcd:orders:latest', NOW)).toBe('bl-20261122100000abcd');
    expect(staleNamespaceOf('bl-20261122100000abcd', NOW)).toBe('bl-20261122100000abcd');
    expect(staleNamespaceOf('bl-20261122100000abcd.payments', NOW)).toBe('bl-20261122100000abcd');
    // An SQS queue: queue names take no "." nor ":".
    expect(staleNamespaceOf('bl-20261122100000abcd-invoices-dlq', NOW)).toBe('bl-20261122100000abcd');
  });
  it('leaves recent runs, bench namespaces, workshop learners and foreign names alone', () => {
    expect(staleNamespaceOf('bl-20261122115500abcd:orders:latest', NOW)).toBeUndefined();
    expect(staleNamespaceOf('bl-bench-20261122100000abcd', NOW)).toBeUndefined();
    expect(staleNamespaceOf('bl-alice', NOW)).toBeUndefined();
    expect(staleNamespaceOf('bl-alice.bl-20261122100000abcd.payments', NOW)).toBeUndefined();
    expect(staleNamespaceOf('bl-alice-bl-20261122100000abcd-invoices', NOW)).toBeUndefined();
    expect(staleNamespaceOf('bl-20261122100000abcdef-jobs', NOW)).toBeUndefined();
    expect(staleNamespaceOf('orders', NOW)).toBeUndefined();
  });
});

describe('a run database in PostgreSQL', () => {
  it('is named after the run namespace, quoted as an identifier, and put in the server URL', async () => {
    const { databaseUrl, quoteIdent } = await import('../../src/namespaces/postgres.js');
    expect(quoteIdent('bl-20261122100000abcd')).toBe('"bl-20261122100000abcd"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432/postgres', 'bl-20261122100000abcd')).toBe('postgres://postgres@127.0.0.1:5432/bl-20261122100000abcd');
    expect(databaseUrl('postgres://u:p@db:6543/postgres?sslmode=disable', 'bl-x')).toBe('postgres://u:p@db:6543/bl-x?sslmode=disable');
    // A stale run's database is its whole namespace: the sweep drops exactly those.
    expect(staleNamespaceOf('bl-20261122100000abcd', NOW)).toBe('bl-20261122100000abcd');
  });
});

describe('Prometheus target files left by killed runs', () => {
  it('removes only the stale runs\' files (and a half-written one), never a running run\'s or another file', async () => {
    const { mkdtempSync, writeFileSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { sweepStaleNamespaces, leftovers } = await import('../../src/namespaces/sweep.js');
    const dir = mkdtempSync(join(tmpdir(), 'bl-targets-'));
    for (const name of ['bl-20261122100000abcd.json', 'bl-20261122100500efgh.json.tmp', 'bl-20261122115500ijkl.json', 'rabbitmq.json']) writeFileSync(join(dir, name), '[]');
    const prometheus = { url: 'http://127.0.0.1:9' };
    expect(await leftovers({ prometheus }, undefined, { targetsDir: dir })).toEqual([
      'prometheus target file bl-20261122100000abcd.json',
      'prometheus target file bl-20261122100500efgh.json.tmp',
      'prometheus target file bl-20261122115500ijkl.json',
    ]);
    const swept = await sweepStaleNamespaces({ prometheus }, NOW, { targetsDir: dir });
    expect(swept).toEqual(['prometheus bl-20261122100000abcd.json', 'prometheus bl-20261122100500efgh.json.tmp']);
    expect(readdirSync(dir).sort()).toEqual(['bl-20261122115500ijkl.json', 'rabbitmq.json']);
  });
});
