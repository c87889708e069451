import { describe, expect, it } from 'vitest';
import { Schedule, parseSchedule, windowAt, type TriggerClock } from '../../src/runner/downstream-schedule.js';

/** A run whose workload started at 1000 and entered phase "outage" at 3000. */
const clock: TriggerClock = (trigger) => ('phase' in trigger ? (trigger.phase === 'outage' ? 3_000 : undefined) : 1_000 + trigger.afterMs);

describe('parseSchedule', () => {
  it('reads windows with defaults', () => {
    const [w] = parseSchedule([{ mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 } }]);
    expect(w).toEqual({ name: 'error-1', mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 }, status: 503, extraMs: 0, maxHoldMs: 10_000 });
    expect(parseSchedule(undefined)).toEqual([]);
  });
  it('names what is wrong', () => {
    expect(() => parseSchedule([{ mode: 'broken', from: { afterMs: 1 }, until: { forMs: 1 } }])).toThrow('"schedule[0].mode" must be one of error, slow, timeout, down');
    expect(() => parseSchedule([{ mode: 'error', status: 404, from: { afterMs: 1 }, until: { forMs: 1 } }])).toThrow('must be 500 or 503');
    expect(() => parseSchedule([{ mode: 'down', from: { soon: true }, until: { forMs: 1 } }])).toThrow('"schedule[0].from" must be');
    expect(() => parseSchedule([{ mode: 'down', from: { afterWindow: 'later' }, until: { forMs: 1 } }])).toThrow('must name an earlier window');
  });
});

describe('windowAt', () => {
  const windows = parseSchedule([
    { name: 'a', mode: 'error', from: { afterMs: 0 }, until: { forMs: 10 } },
    { name: 'b', mode: 'slow', from: { afterMs: 0 }, until: { forMs: 100 } },
  ]);
  it('is the first open window at t, with its end excluded', () => {
    const states = [{ startedAt: 100, endedAt: 200, calls: 0 }, { startedAt: 150, endedAt: 400, calls: 0 }];
    expect(windowAt(windows, states, 99)).toBeUndefined();
    expect(windowAt(windows, states, 100)).toBe(0);
    expect(windowAt(windows, states, 199)).toBe(0);
    expect(windowAt(windows, states, 200)).toBe(1);
    expect(windowAt(windows, states, 400)).toBeUndefined();
  });
  it('an open window without an end applies from its start on', () => {
    expect(windowAt(windows, [{ calls: 0 }, { startedAt: 5, calls: 0 }], 1e9)).toBe(1);
  });
});

describe('Schedule', () => {
  it('opens on a phase, closes after forMs, and the next window follows it', () => {
    const s = new Schedule(parseSchedule([
      { name: 'errors', mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 } },
      { name: 'gone', mode: 'down', from: { afterWindow: 'errors' }, until: { forMs: 1000 } },
    ]));
    expect(s.tick(2_990, clock)).toEqual([]);
    expect(s.tick(3_010, clock).map((c) => [c.window.name, c.phase, c.at])).toEqual([['errors', 'start', 3_010]]);
    expect(s.arrive(4_000, 1, clock).window).toBe(0);
    expect(s.tick(5_010, clock).map((c) => [c.window.name, c.phase, c.at])).toEqual([['errors', 'heal', 5_010], ['gone', 'start', 5_010]]);
    expect(s.arrive(5_500, 2, clock).window).toBe(1);
    expect(s.tick(6_020, clock).map((c) => [c.window.name, c.phase])).toEqual([['gone', 'heal']]);
    expect(s.arrive(6_100, 3, clock).window).toBeUndefined();
    expect(s.states.map((st) => st.calls)).toEqual([1, 1]);
  });
  it('a window timed on calls takes the N-th call on and lasts N calls', () => {
    const s = new Schedule(parseSchedule([{ name: 'hang', mode: 'timeout', from: { call: 3 }, until: { calls: 2 } }]));
    expect(s.arrive(10, 1, clock).window).toBeUndefined();
    expect(s.arrive(20, 2, clock).window).toBeUndefined();
    const third = s.arrive(30, 3, clock);
    expect(third.window).toBe(0);
    expect(third.changes.map((c) => c.phase)).toEqual(['start']);
    const fourth = s.arrive(40, 4, clock);
    expect(fourth.window).toBe(0);
    expect(fourth.changes.map((c) => [c.phase, c.at])).toEqual([['heal', 40]]);
    expect(s.arrive(50, 5, clock).window).toBeUndefined();
  });
  it('afterMs counts from the workload start, as fault triggers do', () => {
    const s = new Schedule(parseSchedule([{ mode: 'slow', extraMs: 300, from: { afterMs: 500 }, until: { afterMs: 900 } }]));
    expect(s.tick(1_499, clock)).toEqual([]);
    expect(s.tick(1_500, clock).map((c) => c.phase)).toEqual(['start']);
    expect(s.tick(1_900, clock).map((c) => c.phase)).toEqual(['heal']);
  });
});

describe('a downstream service with a schedule', () => {
  it('fails, slows, hangs and goes away on the calls its windows take, and records them', async () => {
    const { Downstream } = await import('../../src/runner/downstream.js');
    const { HistoryRecorder } = await import('../../src/runner/history.js');
    const { Random, newSeed } = await import('../../src/runner/seed.js');
    const history = new HistoryRecorder();
    history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'jobs', key: 'k', value: { tags: [] } });
    const service = new Downstream(
      {
        name: 'api',
        keyField: 'id',
        latencyMs: 1,
        schedule: parseSchedule([
          { name: 'busy', mode: 'error', status: 500, from: { call: 2 }, until: { calls: 1 } },
          { name: 'sluggish', mode: 'slow', extraMs: 150, from: { afterWindow: 'busy' }, until: { calls: 1 } },
          { name: 'hung', mode: 'timeout', maxHoldMs: 100, from: { afterWindow: 'sluggish' }, until: { calls: 1 } },
          { name: 'gone', mode: 'down', from: { afterWindow: 'hung' }, until: { calls: 1 } },
        ]),
      },
      history,
      new Random(newSeed(), 'test'),
    );
    const url = await service.start();
    const post = async () => {
      const started = Date.now();
      try {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify({ id: 'k' }), headers: { connection: 'close' } });
        return { status: response.status, ms: Date.now() - started };
      } catch {
        return { status: 0, ms: Date.now() - started };
      }
    };
    try {
      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await post());
      expect(answers.map((a) => a.status)).toEqual([200, 500, 200, 504, 0, 200]);
      expect((answers[2] as { ms: number }).ms).toBeGreaterThanOrEqual(150);
      const calls = history.history.filter((op) => op.kind === 'call');
      expect(calls.map((op) => (op.value as { window?: string }).window ?? '-')).toEqual(['-', 'busy', 'sluggish', 'hung', 'gone', '-']);
      expect((calls[4]?.value as { down?: boolean }).down).toBe(true);
      const windows = history.history.filter((op) => op.kind === 'fault').map((op) => `${(op.value as { window: string }).window} ${(op.value as { phase: string }).phase}`);
      expect(windows).toEqual(['busy start', 'busy heal', 'sluggish start', 'sluggish heal', 'hung start', 'hung heal', 'gone start', 'gone heal']);
    } finally {
      await service.stop();
    }
  });
});

describe('a downstream service whose caller dies while sending', () => {
  it('drops that call without a record and goes on answering (the aborted body is not a crash)', async () => {
    const { Downstream } = await import('../../src/runner/downstream.js');
    const { HistoryRecorder } = await import('../../src/runner/history.js');
    const { Random, newSeed } = await import('../../src/runner/seed.js');
    const { connect } = await import('node:net');
    const history = new HistoryRecorder();
    history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'jobs', key: 'k', value: { tags: [] } });
    const service = new Downstream({ name: 'api', keyField: 'id', latencyMs: 1 }, history, new Random(newSeed(), 'test'));
    const url = new URL(await service.start());
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Half a request (the body is promised 100 bytes, 5 arrive), then the connection dies.
      const socket = connect(Number(url.port), url.hostname);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"id"');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ id: 'k' }), headers: { connection: 'close' } });
      expect(response.status).toBe(200);
      expect(unhandled).toEqual([]);
      expect(history.history.filter((op) => op.kind === 'call').map((op) => op.key)).toEqual(['k']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await service.stop();
    }
  });
});
