// Unit tests of answers-match and deadline-kept (request-reply) over literal histories.
import { describe, expect, it } from 'vitest';
import { answersMatch, deadlineKept } from '../../src/checks/request-reply.js';
import type { Operation } from '../../src/runner/history.js';

const question = (key: string, price: number, sentAt = 0): Operation => ({ t: sentAt + 2, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'questions', key, value: { sku: `SKU-${key}`, price, sentAt, tags: [] } });
const request = (t: number, key: string, extra: { correlationId?: string | null; replyTo?: string } = {}): Operation => ({
  t,
  process: 'lab',
  kind: 'consume',
  outcome: 'ok',
  stream: 'price-requests',
  key,
  value: { sku: `SKU-${key}`, replyTo: extra.replyTo ?? 'amq.gen-1', correlationId: extra.correlationId === undefined ? `c-${key}` : extra.correlationId },
});
const reply = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'price-replies', key, value: {} });
const answer = (at: number, key: string, fields: { price?: unknown; timedOut?: boolean }): Operation => ({
  t: at + 3,
  process: 'downstream',
  kind: 'call',
  outcome: 'ok',
  stream: 'answers-api',
  key,
  attempt: 1,
  value: { instance: 1, arrivedAt: at, status: 200, fields: { price: fields.price ?? null, timedOut: fields.timedOut ?? null } },
});
const price = (at: number, key: string, p: unknown) => answer(at, key, { price: p });
const timedOut = (at: number, key: string) => answer(at, key, { timedOut: true });
const replyQueue = (queue: string, consumers: number): Operation => ({ t: 20, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-reply-queue', value: { queue, consumers } });

const params = answersMatch.parseParams({
  subject: 'question',
  questions: { kind: 'produce', stream: 'questions' },
  requests: { kind: 'consume', stream: 'price-requests' },
  replies: { kind: 'produce', stream: 'price-replies' },
  answers: { kind: 'call', stream: 'answers-api' },
  deadlineMs: 1000,
  toleranceMs: 250,
});

/** q1 on time (300 ms), q2 late (1400 ms), q3 replied twice: all answered right. */
const good: Operation[] = [
  question('q1', 10.5),
  question('q2', 20.25),
  question('q3', 30),
  request(10, 'q1'),
  request(11, 'q2'),
  request(12, 'q3'),
  reply(110, 'q3'),
  reply(150, 'q3'),
  price(115, 'q3', 30),
  reply(310, 'q1'),
  price(320, 'q1', 10.5),
  timedOut(1012, 'q2'),
  reply(1411, 'q2'),
];

describe('answers-match', () => {
  it('passes when each question is answered once, from its own reply or timedOut when it was late', () => {
    expect(answersMatch.run(good, params)).toMatchObject({ status: 'pass', observed: 'all 3 answered once, each with its own price' });
  });

  it('fails replies matched by order: another question\'s price, named', () => {
    const h = [question('q1', 10.5), question('q2', 20.25), request(10, 'q1'), request(11, 'q2'), reply(100, 'q2'), price(105, 'q1', 20.25), reply(600, 'q1'), price(605, 'q2', 10.5)];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'mismatched', observed: "2 of 2 questions got another question's price" });
    expect(r.examples[0]).toBe("q1 (SKU-q1, price 10.5): answered 20.25 at 0.1s, the price of q2 (SKU-q2); its own reply was sent at 0.6s");
  });

  it('calls its own price before its own reply was sent a mismatch too', () => {
    const h = [question('q1', 10.5), request(10, 'q1'), price(50, 'q1', 10.5), reply(300, 'q1')];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'mismatched' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): answered 10.5 at 0.1s, before its own reply was sent (at 0.3s)');
  });

  it('names a shared reply queue when a reply queue had two consumers and replies were missed', () => {
    const h = [replyQueue('replies', 2), question('q1', 10.5), request(10, 'q1', { replyTo: 'replies' }), reply(210, 'q1'), timedOut(1011, 'q1')];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'shared-reply-queue' });
    expect(r.observed).toBe('1 of 1 question was answered timedOut though its reply came in time (the reply queue "replies" had 2 consumers: your copies took each other\'s replies)');
  });

  it('calls a timeout despite an on-time reply a missed reply when no queue was shared', () => {
    const h = [replyQueue('amq.gen-1', 1), question('q1', 10.5), request(10, 'q1'), reply(210, 'q1'), timedOut(1011, 'q1')];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'missed-reply' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): answered timedOut at 1.0s, though its reply was sent at 0.2s, 200 ms after the request');
  });

  it('names missing correlation ids when answers went to the wrong questions', () => {
    const h = [question('q1', 10.5), question('q2', 20.25), request(10, 'q1', { correlationId: null }), request(11, 'q2', { correlationId: null }), reply(100, 'q2'), price(105, 'q1', 20.25), reply(600, 'q1'), price(605, 'q2', 10.5)];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'no-correlation-id' });
    expect(r.observed).toContain('(2 of 2 requests to the price service had no correlationId)');
  });

  it('names a correlation id reused on one reply queue', () => {
    const h = [question('q1', 10.5), question('q2', 20.25), request(10, 'q1', { correlationId: 'price' }), request(11, 'q2', { correlationId: 'price' }), reply(100, 'q2'), price(105, 'q1', 20.25), reply(600, 'q1'), price(605, 'q2', 10.5)];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'no-correlation-id' });
    expect(r.observed).toContain('the same correlationId "price" was used for 2 requests on one reply queue');
  });

  it('fails a question answered twice from a reply delivered twice', () => {
    const h = [question('q1', 10.5), request(10, 'q1'), reply(100, 'q1'), price(104, 'q1', 10.5), reply(140, 'q1'), price(145, 'q1', 10.5)];
    const r = answersMatch.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'answered-twice', observed: '1 of 1 question was answered more than once' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): answered 2 times: 10.5 at 0.1s, 10.5 at 0.1s');
  });

  it('fails a timeout followed by the late price as answered twice; deadline-kept names the late price', () => {
    const h = [question('q1', 10.5), request(10, 'q1'), timedOut(1011, 'q1'), reply(1410, 'q1'), price(1415, 'q1', 10.5)];
    expect(answersMatch.run(h, params)).toMatchObject({ status: 'fail', cause: 'answered-twice' });
    expect(deadlineKept.run(h, params)).toMatchObject({ status: 'fail', cause: 'late-accepted' });
  });

  it('fails a price that is not a number', () => {
    const r = answersMatch.run([question('q1', 10.5), request(10, 'q1'), reply(100, 'q1'), price(105, 'q1', '10.5')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-price' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): answered "10.5", not a number');
  });

  it('fails unanswered questions, saying the service was never asked', () => {
    const r = answersMatch.run([question('q1', 10.5), question('q2', 20.25)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'unanswered', observed: '2 of 2 questions were never answered' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): never answered; the price service never got a request for it');
  });

  it('names requests the service could not read when questions went without their price', () => {
    const unreadable: Operation = { t: 10, process: 'lab', kind: 'consume', outcome: 'fail', stream: 'price-requests', value: { sku: null, problem: 'not JSON with a "sku"', body: 'SKU-q1' } };
    const r = answersMatch.run([question('q1', 10.5), unreadable, timedOut(1011, 'q1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'unreadable-request' });
    expect(r.observed).toBe('1 of 1 question was answered timedOut without a request the price service could read (the price service could not read 1 of 1 request: not JSON with a "sku", e.g. "SKU-q1")');
  });

  it('names answers the answers API refused when questions went unanswered', () => {
    const refused: Operation = { t: 500, process: 'downstream', kind: 'call', outcome: 'fail', stream: 'answers-api', value: { status: 400, body: '{"id":"q1","price":10.5}' } };
    const r = answersMatch.run([question('q1', 10.5), request(10, 'q1'), reply(100, 'q1'), refused], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'unreadable-answer' });
    expect(r.observed).toBe('1 of 1 question was never answered (the answers API refused 1 call, e.g. status 400 to the body "{\\"id\\":\\"q1\\",\\"price\\":10.5}")');
  });

  it('names requests that never reached the price service', () => {
    const r = answersMatch.run([question('q1', 10.5), timedOut(1011, 'q1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'never-asked' });
    expect(r.examples[0]).toBe('q1 (SKU-q1, price 10.5): answered timedOut at 1.0s; the price service never got a readable request for it');
  });

  it('is unknown when the lab sent no question', () => {
    expect(answersMatch.run([], params).status).toBe('unknown');
  });
});

describe('deadline-kept', () => {
  it('passes: the late question answered timedOut at the deadline', () => {
    expect(deadlineKept.run(good, params)).toMatchObject({ status: 'pass', observed: 'none of the 1 question whose reply came late was answered with the late price; 1 timeout in all, none before the deadline' });
  });

  it('fails a late price reported (no deadline at all)', () => {
    const r = deadlineKept.run([question('q1', 10.5), request(10, 'q1'), reply(1410, 'q1'), price(1415, 'q1', 10.5)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'late-accepted', observed: '1 of the 1 question whose reply came late was answered with the late price' });
    expect(r.examples[0]).toBe('q1 (SKU-q1): answered 10.5 at 1.4s; its reply was sent 1400 ms after the request, past the 1000 ms deadline');
  });

  it('does not call another question\'s price on a late question "late-accepted" (that is a mismatch)', () => {
    const h = [question('q1', 10.5), question('q2', 20.25), request(10, 'q1'), request(11, 'q2'), reply(100, 'q2'), price(105, 'q1', 20.25), reply(1410, 'q1'), timedOut(1011, 'q2')];
    expect(deadlineKept.run(h, params).status).toBe('pass');
  });

  it('fails a timeout reported too early (a timeout of its own)', () => {
    const r = deadlineKept.run([question('q1', 10.5), request(10, 'q1'), timedOut(510, 'q1'), reply(1410, 'q1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'gave-up-early', observed: '1 of 1 timeout came before the deadline' });
    expect(r.examples[0]).toBe('q1 (SKU-q1): answered timedOut 500 ms after its request (the deadline is 1000 ms)');
  });

  it('does not call a timeout early when the lab itself noticed the request late', () => {
    // Published at 0, the request noticed at 400 (a busy lab), timed out at 1005: after any deadline the program can have had.
    const h = [question('q1', 10.5, 0), request(400, 'q1'), timedOut(1005, 'q1'), reply(1800, 'q1')];
    expect(deadlineKept.run(h, params).status).toBe('pass');
  });

  it('judges a question never asked by when the lab published it', () => {
    expect(deadlineKept.run([question('q1', 10.5), timedOut(1005, 'q1')], params).status).toBe('pass');
    const r = deadlineKept.run([question('q1', 10.5), timedOut(300, 'q1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'gave-up-early' });
    expect(r.examples[0]).toBe('q1 (SKU-q1): answered timedOut 300 ms after the lab published it, without asking the price service');
  });

  it('fails a timeout reported long after the deadline (a margin of its own)', () => {
    const r = deadlineKept.run([question('q1', 10.5), request(10, 'q1'), timedOut(1320, 'q1'), reply(1410, 'q1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'gave-up-late', observed: '1 of 1 timeout came more than 250 ms after the deadline' });
    expect(r.examples[0]).toBe('q1 (SKU-q1): answered timedOut 1310 ms after its request (the deadline is 1000 ms)');
  });

  it('is unknown when nothing late was answered and nothing timed out', () => {
    expect(deadlineKept.run([question('q1', 10.5)], params).status).toBe('unknown');
  });
});
