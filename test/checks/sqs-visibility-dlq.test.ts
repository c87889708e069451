// Unit tests of one-worker-per-job over literal histories: two workers on one job at once
// (a visibility timeout shorter than the work), a job redone after it succeeded (a late or
// missing delete), and what a pause of a copy excuses.
import { describe, expect, it } from 'vitest';
import { oneWorkerPerJob } from '../../src/checks/visibility.js';
import type { Operation } from '../../src/runner/history.js';

/** A billing call for `key` by copy `instance`, arriving at `from`, answered at `to`. */
const call = (key: string, instance: number, from: number, to: number, status = 200): Operation => ({
  t: to,
  process: 'downstream',
  kind: 'call',
  outcome: status < 300 ? 'ok' : 'fail',
  stream: 'billing-api',
  key,
  value: { instance, arrivedAt: from, status },
});
const pause = (instance: number, from: number, to: number): Operation[] => [
  { t: from, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'pause-learner', id: 1, phase: 'start', instance, signal: 'SIGSTOP' } },
  { t: to, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'pause-learner', id: 1, phase: 'heal', instance, signal: 'SIGCONT' } },
];
const params = { subject: 'invoice', calls: { kind: 'call', stream: 'billing-api' }, windowMs: 5_000 } as const;
const run = (history: Operation[]) => oneWorkerPerJob.run(history.sort((a, b) => a.t - b.t), params);

describe('one-worker-per-job', () => {
  it('passes: each job billed once; a failed call retried after it was answered', () => {
    const r = run([call('a', 1, 100, 150), call('b', 2, 120, 170, 503), call('b', 1, 200, 240), call('c', 2, 300, 3_300)]);
    expect(r).toMatchObject({ status: 'pass', observed: '3 invoices, none worked on twice at once or redone' });
  });

  it('passes: poison jobs tried three times, one after another', () => {
    expect(run([call('p', 1, 0, 50, 500), call('p', 2, 60, 110, 500), call('p', 1, 120, 170, 500)]).status).toBe('pass');
  });

  it('fails a visibility timeout shorter than the work: the second copy starts while the first still works', () => {
    const r = run([call('slow', 1, 1_600, 4_650), call('slow', 2, 2_620, 2_670)]);
    expect(r).toMatchObject({ status: 'fail', cause: 'visibility-shorter-than-work', observed: '1 of 1 invoice came back while a worker was still on it and was worked on twice at once' });
    expect(r.examples).toEqual(['slow: copy 2 started on it at 2.6s while copy 1 was still on it (from 1.6s to 4.7s)']);
  });

  it('fails a job billed again after it succeeded: its delete came too late', () => {
    const r = run([call('a', 1, 100, 150), call('a', 2, 1_200, 1_250)]);
    expect(r).toMatchObject({ status: 'fail', cause: 'redone-after-success', observed: '1 of 1 invoice was done again after succeeding' });
    expect(r.examples).toEqual(['a: done at 0.1s by copy 1, done again at 1.2s by copy 2']);
  });

  it('names the overlap first when both causes show', () => {
    const r = run([call('a', 1, 100, 150), call('a', 2, 1_200, 1_250), call('b', 1, 0, 3_000), call('b', 2, 1_000, 1_050)]);
    expect(r.cause).toBe('visibility-shorter-than-work');
    expect(r.observed).toBe('1 of 2 invoices came back while a worker was still on it and was worked on twice at once; 1 of 2 invoices was done again after succeeding');
  });

  it('excuses a job the other copy took while its first worker was paused past the timeout', () => {
    const r = run([...pause(1, 500, 4_500), call('a', 1, 400, 4_600), call('b', 1, 300, 350), call('a', 2, 1_600, 1_650)]);
    expect(r.status).toBe('pass');
  });

  it('does not excuse an overlap between copies nobody paused', () => {
    const r = run([...pause(2, 10_000, 12_000), call('a', 1, 0, 3_000), call('a', 1, 1_000, 1_050)]);
    expect(r).toMatchObject({ status: 'fail', cause: 'visibility-shorter-than-work' });
  });

  it('ignores calls the API refused as malformed (400)', () => {
    expect(run([call('a', 1, 0, 10, 400), call('a', 1, 5, 60)]).status).toBe('pass');
  });
});
