// Unit tests of the delivery-guarantee checks (at-most-once, at-least-once) over literal
// histories: each passes on the behaviour it stands for, counts what that guarantee allows,
// and names the cause the evidence shows when it fails.
import { describe, expect, it } from 'vitest';
import { atLeastOnce } from '../../src/checks/at-least-once.js';
import { atMostOnce } from '../../src/checks/at-most-once.js';
import type { Operation } from '../../src/runner/history.js';

const roles = ['at-most-once', 'at-least-once'];
const params = (role: 'at-most-once' | 'at-least-once') =>
  ({
    subject: 'message',
    queue: role === 'at-most-once' ? 'AT_MOST_ONCE_QUEUE' : 'AT_LEAST_ONCE_QUEUE',
    sent: { kind: 'produce', stream: role },
    calls: { kind: 'call', stream: 'ledger-api' },
    role,
    roles,
  }) as const;
const amo = params('at-most-once');
const alo = params('at-least-once');

const sent = (t: number, key: string, stream = 'at-most-once'): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream, key, value: { tags: [stream] } });
/** A call that arrived at `at` and was answered (or cut short) at `at + 30`. */
const call = (at: number, key: string, outcome: Operation['outcome'], instance = 1, status?: number): Operation => ({
  t: at + 30,
  process: 'downstream',
  kind: 'call',
  outcome,
  stream: 'ledger-api',
  key,
  value: { instance, arrivedAt: at, ...(status === undefined ? {} : { status }) },
});
const kill = (t: number, instance = 1): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: instance - 1, phase: 'start', instance, signal: 'SIGKILL' } });

describe('at-most-once', () => {
  it('passes when each message was attempted once, and counts what the crash lost', () => {
    const r = atMostOnce.run(
      [sent(0, 'a'), sent(0, 'b'), sent(0, 'c'), sent(0, 'd'), call(100, 'a', 'ok'), call(200, 'b', 'info'), kill(210), call(1500, 'c', 'fail', 1, 503), sent(2000, 'e'), call(2100, 'e', 'ok')],
      amo,
    );
    expect(r.status).toBe('pass');
    expect(r.title).toBe('At-most-once: no message of AT_MOST_ONCE_QUEUE processed twice (up to 2 lost at the crash: allowed, counted)');
    expect(r.observed).toBe('none of the 5 messages was attempted twice; 1 lost with the killed copy, 1 cut short by the kill, 1 refused by the service and not retried (at-most-once allows these losses)');
  });

  it('redelivered after the kill: the call cut short came back and was made again', () => {
    const r = atMostOnce.run([sent(0, 'a'), sent(0, 'b'), call(100, 'a', 'ok'), call(800, 'b', 'info'), kill(820), call(2000, 'b', 'ok')], amo);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('redelivered-after-kill');
    expect(r.observed).toBe('1 of 2 messages of AT_MOST_ONCE_QUEUE was attempted more than once: 1 processed again after your program was killed');
    expect(r.examples).toEqual(['b (sent at 0.0s): 2 attempts: call at 0.8s cut short by the kill, then call at 2.0s written']);
  });

  it('redelivered after the kill: a finished write with a kill before its second one (acked too late)', () => {
    const r = atMostOnce.run([sent(0, 'a'), call(100, 'a', 'ok'), kill(140), call(2000, 'a', 'ok')], amo);
    expect(r.cause).toBe('redelivered-after-kill');
  });

  it('retried after a failure: a refused call made again with no kill between, named before a redelivery', () => {
    const r = atMostOnce.run(
      [sent(0, 'k'), sent(0, 'f'), call(100, 'k', 'info'), kill(110), call(1500, 'k', 'ok'), call(3000, 'f', 'fail', 1, 503), call(3100, 'f', 'ok')],
      amo,
    );
    expect(r.cause).toBe('retried-after-failure');
    expect(r.observed).toBe('2 of 2 messages of AT_MOST_ONCE_QUEUE were attempted more than once: 1 attempted again after the service refused it, 1 processed again after your program was killed');
    expect(r.examples[0]).toBe('f (sent at 0.0s): 2 attempts: call at 3.0s refused (503), then call at 3.1s written');
  });

  it('a kill between a refused call and its retry counts as a redelivery, not a retry', () => {
    const r = atMostOnce.run([sent(0, 'f'), call(100, 'f', 'fail', 1, 503), kill(500), call(1500, 'f', 'ok')], amo);
    expect(r.cause).toBe('redelivered-after-kill');
  });

  it('processed twice: two finished writes with nothing between', () => {
    const r = atMostOnce.run([sent(0, 'a'), call(100, 'a', 'ok'), call(300, 'a', 'ok'), call(400, 'x', 'info'), kill(410)], amo);
    expect(r.cause).toBe('processed-twice');
  });

  it('nothing processed: nobody consumed the queue', () => {
    const r = atMostOnce.run([sent(0, 'a'), sent(0, 'b'), sent(0, 'z', 'at-least-once'), call(100, 'z', 'ok', 2)], amo);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('nothing-processed');
    expect(r.observed).toBe('none of the 2 messages sent to AT_MOST_ONCE_QUEUE was processed');
  });

  it('wrong copy: the at-least-once copy wrote messages of the at-most-once queue (named before anything else)', () => {
    const r = atMostOnce.run([sent(0, 'a'), sent(0, 'b'), call(100, 'a', 'ok', 2), call(200, 'a', 'ok', 2), call(150, 'b', 'ok', 2)], amo);
    expect(r.cause).toBe('wrong-copy');
    expect(r.observed).toBe('2 of the 2 messages of AT_MOST_ONCE_QUEUE were written by copy 2 (ROLE=at-least-once), not by the ROLE=at-most-once copy');
    expect(r.examples).toEqual(['a: written by copy 2 (ROLE=at-least-once)', 'b: written by copy 2 (ROLE=at-least-once)']);
  });

  it('skipped: a message sent after the last kill and never processed', () => {
    const r = atMostOnce.run([sent(0, 'a'), call(100, 'a', 'info'), kill(110), sent(2000, 'b')], amo);
    expect(r.cause).toBe('skipped');
    expect(r.examples).toEqual(['b (sent at 2.0s): never processed']);
  });

  it('a message sent while the killed copy was dying (before it was started again) may be lost', () => {
    const heal = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'heal', instance: 1, restarted: true } });
    const history = [sent(0, 'a'), call(100, 'a', 'info'), kill(110), sent(115, 'b'), heal(320)];
    expect(atMostOnce.run(history, amo).status).toBe('pass');
    expect(atMostOnce.run([...history, sent(400, 'c')], amo).cause).toBe('skipped');
  });

  it('discarded: more lost than the killed copy held (the rest was waiting in the queue at the kill)', () => {
    const ready = (n: number): Operation => ({ t: 130, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-ready-at-kill', value: { name: 'AT_MOST_ONCE_QUEUE', killAt: 110, at: 125, ready: n, publishing: 0 } });
    const history = [sent(0, 'a'), sent(0, 'b'), sent(0, 'c'), sent(0, 'd'), call(100, 'a', 'info'), kill(110)];
    // b, c, d all pushed to the copy before it died (nothing ready): losing them is allowed.
    expect(atMostOnce.run([...history, ready(0)], amo).status).toBe('pass');
    // Two of them were still in the queue: the restarted copy had to write them.
    const r = atMostOnce.run([...history, ready(2)], amo);
    expect(r).toMatchObject({ status: 'fail', cause: 'discarded', observed: '3 of 4 messages of AT_MOST_ONCE_QUEUE were never processed, but the killed copy held at most 1: 2 were still waiting in the queue when it died, and nothing processed them afterwards' });
  });

  it('rejected: the service refused calls as malformed, and the reason is named', () => {
    const refused: Operation = { ...call(100, 'a', 'fail', 1, 400), value: { instance: 1, arrivedAt: 100, status: 400, rejected: '"mode" is "at-least-once"' } };
    const r = atMostOnce.run([sent(0, 'a'), refused], amo);
    expect(r).toMatchObject({ status: 'fail', cause: 'rejected' });
    expect(r.examples).toEqual(['a: refused: "mode" is "at-least-once"']);
  });

  it('a kill of the other copy does not excuse a loss', () => {
    const r = atMostOnce.run([sent(0, 'a'), sent(0, 'b'), call(100, 'a', 'info'), kill(110), kill(3000, 2)], amo);
    expect(r.status).toBe('pass');
    const r2 = atMostOnce.run([sent(0, 'a'), sent(500, 'b'), call(100, 'a', 'info'), kill(110), kill(3000, 2)], amo);
    expect(r2.cause).toBe('skipped');
  });

  it('is unknown when no kill cut a call of the queue short, or when the lab sent nothing', () => {
    expect(atMostOnce.run([sent(0, 'a'), call(100, 'a', 'ok')], amo).status).toBe('unknown');
    expect(atMostOnce.run([], amo).status).toBe('unknown');
  });

  it('refuses a role that is not among the roles', () => {
    expect(() => atMostOnce.parseParams({ ...amo, role: 'exactly-once' })).toThrow(/"role" must be one of "roles"/);
    expect(() => atMostOnce.parseParams({ ...amo, roles: '$learner.roles' })).toThrow(/"roles" must be a list/);
  });
});

describe('at-least-once', () => {
  const s = (t: number, key: string) => sent(t, key, 'at-least-once');

  it('passes when the message cut short came back, and counts the duplicates', () => {
    const r = atLeastOnce.run(
      [s(0, 'a'), s(0, 'b'), s(0, 'c'), call(100, 'a', 'ok', 2), call(200, 'b', 'info', 2), call(210, 'c', 'ok', 2), kill(250, 2), call(1500, 'b', 'ok', 2), call(1500, 'c', 'ok', 2)],
      alo,
    );
    expect(r.status).toBe('pass');
    expect(r.title).toBe('At-least-once: the message in hand at a crash is written again (2 duplicates: allowed, counted)');
    expect(r.observed).toBe('the message cut short by the kill was written again; duplicates: 1 written twice, 1 cut short by the kill and then written again (at-least-once allows both)');
    expect(r.examples).toEqual(['b: call at 0.2s cut short by the kill, then call at 1.5s written', 'c: call at 0.2s written, then call at 1.5s written']);
  });

  it('not redelivered: the message cut short by the kill never came back (acked before the work)', () => {
    const r = atLeastOnce.run([s(0, 'a'), s(0, 'b'), call(100, 'a', 'info', 2), call(100, 'b', 'info', 2), kill(150, 2), call(1500, 'b', 'ok', 2)], alo);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('not-redelivered');
    expect(r.observed).toBe('1 of 2 messages being written when your program was killed was never written again: RabbitMQ did not give it back');
    expect(r.examples).toEqual(['a (sent at 0.0s): call at 0.1s cut short by the kill, never attempted again']);
  });

  it('not redelivered: later attempts that all failed do not count as written again', () => {
    const r = atLeastOnce.run([s(0, 'a'), call(100, 'a', 'info', 2), kill(150, 2), call(1500, 'a', 'fail', 2, 503)], alo);
    expect(r.cause).toBe('not-redelivered');
  });

  it('wrong copy and nothing processed, before anything else', () => {
    expect(atLeastOnce.run([s(0, 'a'), call(100, 'a', 'info', 1), kill(150, 1)], alo).cause).toBe('wrong-copy');
    expect(atLeastOnce.run([s(0, 'a')], alo).cause).toBe('nothing-processed');
  });

  it('a call without a known copy is named as such', () => {
    const r = atLeastOnce.run([s(0, 'a'), call(100, 'a', 'ok', 3)], alo);
    expect(r.examples).toEqual(['a: written by copy 3 (no such copy: is x-instance-id set to INSTANCE_ID?)']);
  });

  it('is unknown when no kill cut a call of the queue short', () => {
    expect(atLeastOnce.run([s(0, 'a'), call(100, 'a', 'ok', 2)], alo).status).toBe('unknown');
  });
});
