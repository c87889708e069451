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

/** A passive-declare sample of the tasks queue, as the rabbitmq-retry-worker workload records it. */
const queueSample = (value: { ready: number; consumers: number; published: number; done: number; afterKill?: boolean }): Operation => ({
  t: 5,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'amqp-queue',
  value: { queue: 'tasks', afterKill: false, ...value },
});

describe('manual-ack and bounded-prefetch', () => {
  it('pass when at most the prefetch is in flight and every unfinished task is back after the kill', () => {
    const h = [
      queueSample({ published: 60, ready: 48, done: 2, consumers: 1 }), // 10 in flight
      queueSample({ published: 120, ready: 95, done: 20, consumers: 1 }), // 5 in flight
      queueSample({ published: 120, ready: 89, done: 30, consumers: 0, afterKill: true }), // 1 not yet requeued...
      queueSample({ published: 120, ready: 90, done: 30, consumers: 0, afterKill: true }), // ...then all 90 back
    ];
    expect(manualAck.run(h, {}).status).toBe('pass');
    expect(manualAck.run(h, {}).observed).toBe('all 90 unfinished tasks were back in "tasks" after the kill');
    expect(boundedPrefetch.run(h, { max: 10 })).toMatchObject({ status: 'pass', observed: 'at most 10 in flight' });
  });
  it('fail for auto-ack: everything is pushed at once, and unfinished tasks vanish with the worker', () => {
    const h = [
      queueSample({ published: 120, ready: 0, done: 3, consumers: 1 }),
      queueSample({ published: 120, ready: 0, done: 30, consumers: 0, afterKill: true }),
    ];
    expect(manualAck.run(h, {})).toMatchObject({ status: 'fail' });
    expect(manualAck.run(h, {}).observed).toContain('90 of 90 unfinished tasks were gone from "tasks" after the kill');
    expect(boundedPrefetch.run(h, { max: 10 }).observed).toBe('117 tasks were in flight at once (120 published, 0 still in the queue, 3 done): RabbitMQ pushed them all to the worker');
  });
  it('fail bounded-prefetch for a manual-ack consumer without a limit (all unfinished tasks still come back)', () => {
    const h = [
      queueSample({ published: 120, ready: 0, done: 5, consumers: 1 }),
      queueSample({ published: 120, ready: 90, done: 30, consumers: 0, afterKill: true }),
    ];
    expect(boundedPrefetch.run(h, { max: 10 }).status).toBe('fail');
    expect(manualAck.run(h, {}).status).toBe('pass');
  });
  it('ignore samples outside their window: after-kill samples for prefetch, samples with a consumer for the kill', () => {
    const h = [queueSample({ published: 120, ready: 0, done: 30, consumers: 1, afterKill: true })];
    expect(manualAck.run(h, {}).status).toBe('unknown');
    expect(boundedPrefetch.run([queueSample({ published: 120, ready: 0, done: 0, consumers: 0, afterKill: true })], { max: 10 }).status).toBe('unknown');
  });
  it('are unknown when no sample was taken', () => {
    expect(manualAck.run([], {}).status).toBe('unknown');
    expect(boundedPrefetch.run([], { max: 10 }).status).toBe('unknown');
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
