import { describe, expect, it } from 'vitest';
import { ORPHAN_AGE_MS, isStaleRun, runStartedAt } from '../../src/runner/stragglers.js';

describe('orphans of earlier runs', () => {
  it('reads when a run started from its id (UTC)', () => {
    expect(runStartedAt('20261122-043156-ycgx-redis-pubsub-notifier')?.toISOString()).toBe('2026-11-22T04:31:56.000Z');
    expect(runStartedAt('not-a-run-id')).toBeUndefined();
  });
  it('calls a run stale only once it is older than any run can last', () => {
    const started = new Date('2026-11-22T04:31:56Z').getTime();
    expect(isStaleRun('20261122-043156-ycgx-x', new Date(started + ORPHAN_AGE_MS - 1_000))).toBe(false);
    expect(isStaleRun('20261122-043156-ycgx-x', new Date(started + ORPHAN_AGE_MS + 1_000))).toBe(true);
    expect(isStaleRun('garbage', new Date(started + 10 * ORPHAN_AGE_MS))).toBe(false);
  });
});
