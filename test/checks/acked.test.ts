// Unit tests of all-acked over literal histories.
import { describe, expect, it } from 'vitest';
import { allAcked } from '../../src/checks/acked.js';
import type { Operation } from '../../src/runner/history.js';

const left = (n: number, name = 'QUESTIONS_QUEUE'): Operation => ({ t: 5_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-left-after-stop', value: { name, queue: 'questions-ab12', left: n, sent: 3 } });
const worked: Operation = { t: 100, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'answers-api', key: 'q1', value: {} };
const params = { subject: 'question', queue: 'QUESTIONS_QUEUE' };

describe('all-acked', () => {
  it('passes when nothing was left in the queue', () => {
    expect(allAcked.run([worked, left(0)], params)).toMatchObject({ status: 'pass', observed: 'all 3 questions were acked' });
  });

  it('fails when messages the program worked on came back to the queue: never acked', () => {
    expect(allAcked.run([worked, left(3)], params)).toMatchObject({
      status: 'fail',
      cause: 'never-acked',
      observed: '3 of 3 questions were in "questions-ab12" (QUESTIONS_QUEUE) after your program stopped: never acked (never taken, or taken and given back unacked)',
    });
  });

  it('reads only its own queue\'s sample', () => {
    expect(allAcked.run([worked, left(0), left(2, 'OTHER_QUEUE')], params).status).toBe('pass');
  });

  it('is unknown when the program did nothing (other checks speak), or the queue was not looked at', () => {
    expect(allAcked.run([left(1)], params).status).toBe('unknown');
    expect(allAcked.run([worked], params).status).toBe('unknown');
  });
});
