// Unit tests of the work-queue checks (fan-out, reliable-queue, done-once) over literal
// histories: each passes on a good history and fails on the bad one it exists for, naming the
// cause its evidence shows.
import { describe, expect, it } from 'vitest';
import { doneOnce } from '../../src/checks/done-once.js';
import { fanOut } from '../../src/checks/fan-out.js';
import { reliableQueue } from '../../src/checks/reliable-queue.js';
import type { WorkListsSnapshot } from '../../src/runner/observations.js';
import type { Operation } from '../../src/runner/history.js';

const start = (t: number, n: number): Operation => ({ t, process: `learner-${n}`, kind: 'process', outcome: 'ok', value: { event: 'start', start: 1 } });
const exit = (t: number, n: number): Operation => ({ t, process: `learner-${n}`, kind: 'process', outcome: 'ok', value: { event: 'exit', signal: 'SIGKILL', byLab: true } });
const kill = (t: number, instance: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'start', instance, signal: 'SIGKILL' } });
const heal = (t: number, instance: number, restarted = false): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'heal', instance, restarted } });
const three = [start(0, 1), start(0, 2), start(0, 3)];

describe('fan-out', () => {
  const event = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key, value: { tags: [] } });
  const seen = (t: number, key: string, instance: number): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'audit-api', key, value: { instance, arrivedAt: t } });
  const params = { subject: 'event', sent: { kind: 'produce', stream: 'events' }, reported: { kind: 'call', stream: 'audit-api' }, graceMs: 2_000 } as const;
  const all = (t: number, key: string) => [seen(t, key, 1), seen(t, key, 2), seen(t, key, 3)];

  it('passes when every copy reported every event', () => {
    const r = fanOut.run([...three, event(100, 'e1'), event(200, 'e2'), ...all(150, 'e1'), ...all(250, 'e2')], params);
    expect(r.status).toBe('pass');
    expect(r.observed).toBe('all 2 events reached every running copy (6 reports)');
  });

  it('nothing-reported: no copy reported anything', () => {
    const r = fanOut.run([...three, event(100, 'e1')], params);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('nothing-reported');
    expect(r.examples).toEqual(['e1 (published at 0.1s): reported by no copy, expected copies 1, 2, 3']);
  });

  it('one-copy-per-event: the events were shared out like jobs', () => {
    const r = fanOut.run([...three, event(100, 'e1'), event(200, 'e2'), event(300, 'e3'), seen(150, 'e1', 1), seen(250, 'e2', 2), seen(350, 'e3', 1)], params);
    expect(r.cause).toBe('one-copy-per-event');
    expect(r.observed).toBe('no event was reported by more than one copy: 3 of 3 events missed 6 of 9 expected reports (events reported per copy: 1: 2, 2: 1, 3: 0)');
    expect(r.examples[0]).toBe('e1 (published at 0.1s): reported by copy 1 only, expected copies 1, 2, 3');
  });

  it('missed-by-some: one copy missed events the others got', () => {
    const r = fanOut.run([...three, event(100, 'e1'), event(200, 'e2'), ...all(150, 'e1'), seen(250, 'e2', 1), seen(250, 'e2', 2)], params);
    expect(r.cause).toBe('missed-by-some');
    expect(r.examples).toEqual(['e2 (published at 0.2s): reported by copies 1, 2, expected copies 1, 2, 3']);
  });

  it('does not expect a killed copy to report events published shortly before its kill, or after it', () => {
    const history = [
      ...three,
      event(100, 'early'),
      ...all(150, 'early'),
      event(3_000, 'before-kill'),
      seen(3_050, 'before-kill', 1),
      seen(3_050, 'before-kill', 2),
      kill(4_000, 3),
      event(4_005, 'between-kill-and-exit'),
      exit(4_010, 3),
      heal(4_010, 3),
      event(5_000, 'after'),
      seen(4_050, 'between-kill-and-exit', 1),
      seen(4_050, 'between-kill-and-exit', 2),
      seen(5_050, 'after', 1),
      seen(5_050, 'after', 2),
    ];
    expect(fanOut.run(history, params).status).toBe('pass');
    // Published long enough before the kill: the killed copy had to report it.
    const missed = fanOut.run(history.filter((op) => !(op.key === 'early' && (op.value as { instance?: number }).instance === 3)), params);
    expect(missed.cause).toBe('missed-by-some');
    expect(missed.examples).toEqual(['early (published at 0.1s): reported by copies 1, 2, expected copies 1, 2, 3']);
  });

  it('reported-twice: nothing missing, but a copy reported an event twice', () => {
    const r = fanOut.run([...three, event(100, 'e1'), ...all(150, 'e1'), seen(160, 'e1', 2)], params);
    expect(r.cause).toBe('reported-twice');
    expect(r.examples).toEqual(['e1: reported 2 times by copy 2']);
  });

  it('rejected: the service refused reports as malformed, and says why', () => {
    const refused: Operation = { t: 160, process: 'downstream', kind: 'call', outcome: 'fail', stream: 'audit-api', key: 'e1', value: { arrivedAt: 160, rejected: 'the x-instance-id header is missing' } };
    const r = fanOut.run([...three, event(100, 'e1'), seen(150, 'e1', 1), seen(150, 'e1', 2), refused], params);
    expect(r.cause).toBe('rejected');
    expect(r.observed).toBe('1 of 1 event did not reach every copy, and the service refused 1 report with 400: "the x-instance-id header is missing"');
  });

  it('is unknown when the lab published nothing', () => {
    expect(fanOut.run(three, params).status).toBe('unknown');
  });
});

// --- the work queue ---------------------------------------------------------------------------

const job = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'jobs', key, value: { tags: [] } });
const done = (t: number, key: string, instance: number, arrivedAt = t - 20): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'jobs-api', key, attempt: 1, value: { instance, arrivedAt, status: 200 } });
const cut = (t: number, key: string, instance: number): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'info', stream: 'jobs-api', key, attempt: 1, value: { instance, arrivedAt: t, note: 'caller killed mid-call' } });
/** A snapshot answered at `t`, sent 2 ms earlier. */
const snap = (t: number, lists: { queue?: string[]; p1?: string[]; p2?: string[]; p3?: string[] }, heartbeats = [1, 2, 3], final = false): Operation => {
  const value: WorkListsSnapshot = { takenAt: t - 2, queue: lists.queue ?? [], processing: { '1': lists.p1 ?? [], '2': lists.p2 ?? [], '3': lists.p3 ?? [] }, heartbeats, ...(final ? { final: true, otherLists: [] } : {}) };
  return { t, process: 'lab', kind: 'observe', outcome: 'ok', key: 'work-lists', value };
};
const sent = { kind: 'produce', stream: 'jobs' } as const;
const doneSel = { kind: 'call', stream: 'jobs-api' } as const;

describe('reliable-queue', () => {
  const params = { subject: 'job', sent, done: doneSel, queue: 'JOBS_QUEUE' };

  it('passes when every pending job is in the queue or a processing list, and the killed copy\'s job went back', () => {
    const r = reliableQueue.run(
      [
        ...three,
        job(10, 'a'),
        job(10, 'b'),
        snap(50, { queue: ['b'], p1: ['a'] }),
        done(80, 'a', 1),
        snap(100, { p2: ['b'] }),
        kill(120, 2),
        cut(120, 'b', 2),
        snap(150, { p2: ['b'] }, [1, 3]),
        snap(1_400, { p3: ['b'] }, [1, 3]),
        done(1_450, 'b', 3),
        snap(2_000, {}, [1, 3], true),
      ],
      params,
    );
    expect(r.status).toBe('pass');
    expect(r.observed).toBe("in all 5 snapshots every pending job was in JOBS_QUEUE or a processing list, and the killed copy's list was emptied");
  });

  it('taken-out-of-redis: a job being worked on was in no list (BRPOP), and the killed copy\'s one was lost', () => {
    const r = reliableQueue.run(
      [...three, job(10, 'a'), job(10, 'b'), snap(50, {}), done(80, 'a', 1), kill(90, 2), cut(90, 'b', 2), snap(2_000, {}, [1, 3], true)],
      params,
    );
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('taken-out-of-redis');
    expect(r.observed).toBe('2 of 2 jobs were, at some moment before being done, in neither JOBS_QUEUE nor any processing list; 1 of them was never done');
    expect(r.examples).toEqual([
      'b (pushed at 0.0s): in neither JOBS_QUEUE nor any processing list at 0.1s, and never done: copy 2 was working on it when the lab killed it at 0.1s, and it was gone with it',
      'a (pushed at 0.0s): in neither JOBS_QUEUE nor any processing list at 0.1s, before it was done (done at 0.1s by copy 1)',
    ]);
  });

  it('does not count a job done before the snapshot was answered, nor one pushed after it was sent', () => {
    const r = reliableQueue.run([...three, job(10, 'a'), done(49, 'a', 1), snap(50, {}), job(49, 'b'), snap(51, { queue: ['b'] })], params);
    expect(r.status).toBe('pass');
  });

  it('stranded-with-dead-worker: the killed copy\'s job is still in its list at the end (no reaper)', () => {
    const r = reliableQueue.run(
      [...three, job(10, 'a'), job(10, 'b'), snap(50, { p1: ['a'], p2: ['b'] }), done(80, 'a', 1), kill(90, 2), cut(90, 'b', 2), snap(2_000, { p2: ['b'] }, [1, 3], true)],
      params,
    );
    expect(r.cause).toBe('stranded-with-dead-worker');
    expect(r.observed).toBe('1 of 2 jobs never done sits in the processing list of a copy the lab killed, whose heartbeat key was gone: nobody moved it back to JOBS_QUEUE');
    expect(r.examples).toEqual(['b: in the processing list of copy 2 since 0.1s; the lab killed copy 2 at 0.1s, and at the end (2.0s) the job was still there, never done']);
  });

  it('dead-copy-looks-alive: the job is stranded because the killed copy\'s heartbeat key outlived it (a TTL far too long)', () => {
    const r = reliableQueue.run(
      [...three, job(10, 'a'), job(10, 'b'), snap(50, { p1: ['a'], p2: ['b'] }), done(80, 'a', 1), kill(90, 2), cut(90, 'b', 2), snap(3_590, { p2: ['b'] }, [1, 2, 3], true)],
      params,
    );
    expect(r.cause).toBe('dead-copy-looks-alive');
    expect(r.observed).toBe('1 of 2 jobs never done sits in the processing list of a copy the lab killed, whose heartbeat key still existed at the end, 3.5s after copy 2 died: to a reaper it still looked alive');
  });

  it('a done job left in a killed copy\'s list is not stranded (done-once judges what happens to it)', () => {
    const r = reliableQueue.run([...three, job(10, 'a'), snap(50, { p2: ['a'] }), done(80, 'a', 2), kill(90, 2), snap(2_000, { p2: ['a'] }, [1, 3], true)], params);
    expect(r.status).toBe('pass');
  });

  it('wrong-list-name: jobs sat in lists of the program\'s own naming, which the snapshots found', () => {
    const stray = (t: number, final = false): Operation => {
      const op = snap(t, {}, [1, 2, 3], final);
      (op.value as WorkListsSnapshot).otherLists = ['worker-2'];
      return op;
    };
    const r = reliableQueue.run([...three, job(10, 'a'), stray(50), done(80, 'a', 1), kill(90, 2), stray(2_000, true)], params);
    expect(r.cause).toBe('wrong-list-name');
    expect(r.observed).toMatch(/found jobs in lists named PROCESSING_PREFIX \+ "worker-2"$/);
  });

  it('is unknown without snapshots', () => {
    expect(reliableQueue.run([job(10, 'a'), done(80, 'a', 1)], params).status).toBe('unknown');
  });
});

describe('done-once', () => {
  const params = { subject: 'job', done: doneSel, queue: 'JOBS_QUEUE' };

  it('passes when each job was done once; a call cut short by a kill does not count', () => {
    const r = doneOnce.run([...three, job(10, 'a'), cut(50, 'a', 2), kill(50, 2), done(1_500, 'a', 1)], params);
    expect(r.status).toBe('pass');
  });

  it('taken-by-two: a second copy started the job while the first one\'s call was unanswered, never in a processing list', () => {
    const r = doneOnce.run([...three, job(10, 'a'), snap(20, { queue: ['a'] }), done(100, 'a', 1, 40), done(110, 'a', 2, 60), snap(120, {})], params);
    expect(r.cause).toBe('taken-by-two');
    expect(r.observed).toBe('1 of 1 job was done more than once, all worked on by two copies at once');
    expect(r.examples).toEqual(['a: done 2 times, by copies 1 and 2: copy 2 started it at 0.1s while copy 1\'s call for it (from 0.0s) was not answered yet']);
  });

  it('taken-by-two, not a reaper, when a job done twice one after the other never was in a processing list (LINDEX, then LREM)', () => {
    const r = doneOnce.run([...three, job(10, 'a'), snap(20, { queue: ['a'] }), done(100, 'a', 1, 40), snap(105, { queue: ['a'] }), done(300, 'a', 2, 110)], params);
    expect(r.cause).toBe('taken-by-two');
    expect(r.examples).toEqual(['a: done 2 times, by copies 1 and 2 (at 0.1s, 0.3s), and it never was in a processing list: it stayed in JOBS_QUEUE while copies worked on it']);
  });

  it('heartbeat-lapsed: another copy started the job while it was in a live copy\'s list and that copy\'s heartbeat had expired', () => {
    const r = doneOnce.run(
      [...three, job(10, 'slow'), snap(50, { p1: ['slow'] }), snap(1_100, { p1: ['slow'] }, [2, 3]), done(1_300, 'slow', 2, 1_260), done(2_050, 'slow', 1, 50)],
      params,
    );
    expect(r.cause).toBe('heartbeat-lapsed');
    expect(r.examples).toEqual(["slow: done 2 times, by copies 1 and 2: it was in copy 1's processing list, and at 1.3s it was started by copy 2 while copy 1 was alive, but its heartbeat key was missing (at 1.1s)"]);
  });

  it('heartbeat-lapsed, when the reaper struck between two snapshots: the first one after shows the busy copy\'s heartbeat gone', () => {
    const r = doneOnce.run(
      [...three, job(10, 'slow'), snap(50, { p2: ['slow'] }), snap(1_927, { p2: ['slow'] }), done(1_961, 'slow', 1, 1_949), snap(1_976, {}, [1, 3]), done(3_137, 'slow', 2, 60)],
      params,
    );
    expect(r.cause).toBe('heartbeat-lapsed');
  });

  it('reaped-despite-heartbeat: the snapshots show it moved out of a live copy\'s list, heartbeat in place', () => {
    const r = doneOnce.run(
      [...three, job(10, 'slow'), snap(50, { p1: ['slow'] }), snap(700, { queue: ['slow'] }), snap(750, { p3: ['slow'] }), done(800, 'slow', 3, 760), done(2_050, 'slow', 1, 50)],
      params,
    );
    expect(r.cause).toBe('reaped-despite-heartbeat');
    expect(r.examples).toEqual(["slow: done 2 times, by copies 1 and 3: it was in copy 1's processing list, and at 0.7s it was back in JOBS_QUEUE while copy 1 was alive, its heartbeat key in place"]);
  });

  it('redone-after-done: done, left in the list of a copy that was then killed, and done again after the reaper moved it back', () => {
    const r = doneOnce.run(
      [...three, job(10, 'a'), snap(50, { p2: ['a'] }), done(80, 'a', 2), snap(100, { p2: ['a'] }), kill(500, 2), snap(1_600, { queue: ['a'] }, [1, 3]), done(1_700, 'a', 3, 1_650)],
      params,
    );
    expect(r.cause).toBe('redone-after-done');
    expect(r.examples).toEqual(['a: done 2 times, by copies 2 and 3: done at 0.1s by copy 2, then again at 1.7s by copy 3; in between it was still in a processing list']);
  });

  it('retried-after-timeout: the first call was done, but its copy had stopped waiting and the job was done again', () => {
    const gaveUp: Operation = { ...done(1_200, 'slow', 1, 50), value: { instance: 1, arrivedAt: 50, status: 200, callerGaveUp: true } };
    const r = doneOnce.run([...three, job(10, 'slow'), snap(40, { p1: ['slow'] }), gaveUp, done(1_400, 'slow', 1, 1_100)], params);
    expect(r.cause).toBe('retried-after-timeout');
    expect(r.examples).toEqual(["slow: done 2 times, by copy 1: copy 1's call from 0.1s was done at 1.2s, but your program had stopped waiting for the answer, and copy 1 did the job again at 1.1s"]);
  });

  it('wrong-list-name: duplicates while the snapshots found lists of the program\'s own naming', () => {
    const stray = snap(50, {});
    (stray.value as WorkListsSnapshot).otherLists = ['w1'];
    const r = doneOnce.run([...three, job(10, 'a'), stray, done(100, 'a', 1, 40), done(900, 'a', 2, 700)], params);
    expect(r.cause).toBe('wrong-list-name');
    expect(r.examples).toEqual(['a: done 2 times, by copies 1 and 2, while your copies kept jobs in lists named PROCESSING_PREFIX + "w1"']);
  });

  it('names the most telling cause when the evidence shows several, and breaks them down', () => {
    const r = doneOnce.run(
      [
        ...three,
        job(10, 'slow'),
        job(10, 'b'),
        snap(50, { p1: ['slow'], queue: ['b'] }),
        snap(1_100, { p1: ['slow'] }, [2, 3]),
        done(1_200, 'b', 2, 1_150),
        done(1_210, 'b', 3, 1_160),
        done(1_300, 'slow', 2, 1_260),
        done(2_050, 'slow', 1, 50),
      ],
      params,
    );
    expect(r.cause).toBe('heartbeat-lapsed');
    expect(r.observed).toBe('2 of 2 jobs were done more than once: 1 taken from a live copy whose heartbeat key was missing, 1 worked on by two copies at once');
    expect(r.examples[0]).toMatch(/^slow: /);
  });
});
