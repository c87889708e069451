// Unit tests of dead-lettering, acks/prefetch and subscription checks over literal histories.
import { describe, expect, it } from 'vitest';
import { deadLetteredAfterAttempts } from '../../src/checks/dead-letter.js';
import { boundedPrefetch, manualAck, subscribed } from '../../src/checks/observations.js';
import type { Operation } from '../../src/runner/history.js';

const task = (key: string, tags: string[] = []): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key, value: { tags } });
const call = (key: string, outcome: Operation['outcome']): Operation => ({ t: 1, process: 'downstream', kind: 'call', outcome, stream: 'thumbnail-api', key });
const dead = (key: string, reason: string | null = 'delivery_limit'): Operation => ({ t: 2, process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', key, value: { reason } });
const params = {
  subject: 'task',
  attempts: 3,
  poisonTag: 'poison',
  calls: { kind: 'call', stream: 'thumbnail-api' },
  deadLetters: { kind: 'dead-letter', stream: 'dead-letter' },
} as const;
const poisonAttempts = (n: number) => Array.from({ length: n }, () => call('p1', 'fail'));

describe('dead-lettered-after-attempts', () => {
  it('passes: exactly 3 attempts, then the dead-letter queue, with a reason', () => {
    const h = [task('t1'), task('p1', ['poison']), call('t1', 'ok'), ...poisonAttempts(3), dead('p1')];
    expect(deadLetteredAfterAttempts.run(h, params).status).toBe('pass');
  });

  it('fails an infinite requeue loop: too many attempts, never dead-lettered', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(250)], params);
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('1 retried too often');
    expect(r.examples[0]).toBe('p1 was attempted 250 times (expected exactly 3) and never dead-lettered');
  });

  it('fails a drop: right number of attempts, then gone', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(3)], params);
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('1 dropped instead of dead-lettered');
  });

  it('fails an off-by-one limit (4 attempts)', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(4), dead('p1')], params);
    expect(r.status).toBe('fail');
    expect(r.examples[0]).toContain('attempted 4 times');
  });

  it('fails a dead-letter without a reason', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(3), dead('p1', null)], params);
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('1 without a reason');
  });

  it('fails when a healthy task is dead-lettered', () => {
    const h = [task('t1'), task('p1', ['poison']), call('t1', 'fail'), ...poisonAttempts(3), dead('p1'), dead('t1')];
    const r = deadLetteredAfterAttempts.run(h, params);
    expect(r.status).toBe('fail');
    expect(r.examples).toContain('t1 could have succeeded but was dead-lettered after 1 attempt(s)');
  });
});

const consumers = (list: Array<{ ackRequired: boolean; prefetchCount: number }>): Operation => ({
  t: 5,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'amqp-consumers',
  value: { consumers: list.map((c) => ({ queue: 'tasks', ...c })) },
});

describe('manual-ack and bounded-prefetch', () => {
  it('pass for a manual-ack consumer with prefetch 10', () => {
    const h = [consumers([{ ackRequired: true, prefetchCount: 10 }])];
    expect(manualAck.run(h, {}).status).toBe('pass');
    expect(boundedPrefetch.run(h, { max: 10 }).status).toBe('pass');
  });
  it('fail for auto-ack', () => {
    const h = [consumers([{ ackRequired: false, prefetchCount: 0 }])];
    expect(manualAck.run(h, {}).observed).toContain('auto-ack');
    expect(boundedPrefetch.run(h, { max: 10 }).status).toBe('fail');
  });
  it('fail for unlimited or too large prefetch', () => {
    expect(boundedPrefetch.run([consumers([{ ackRequired: true, prefetchCount: 0 }])], { max: 10 }).observed).toBe('prefetch is unlimited (0)');
    expect(boundedPrefetch.run([consumers([{ ackRequired: true, prefetchCount: 50 }])], { max: 10 }).observed).toBe('prefetch is 50');
  });
  it('are unknown when no consumer was ever seen', () => {
    expect(manualAck.run([], {}).status).toBe('unknown');
  });
});

describe('subscribed', () => {
  const sample = (count: number): Operation => ({ t: 1, process: 'lab', kind: 'observe', outcome: 'ok', key: 'pubsub-subscribers', value: { channel: 'orders', count } });
  it('passes once any sample saw a subscriber', () => {
    expect(subscribed.run([sample(0), sample(1)], { channel: 'orders' }).status).toBe('pass');
  });
  it('fails when NUMSUB stayed 0', () => {
    const r = subscribed.run([sample(0), sample(0)], { channel: 'orders' });
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('PUBSUB NUMSUB stayed 0 in all 2 samples');
  });
});
