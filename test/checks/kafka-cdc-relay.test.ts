// Unit tests of the change-data relay's checks over literal histories: each passes on a good
// history and names the cause the evidence (the changes, the topic, the saved position) points to.
import { describe, expect, it } from 'vitest';
import { cdcChangesPublished, cdcCopiesOnlyAtKill, cdcKeyOrder, cdcPositionSaved, cdcValueFormat } from '../../src/checks/cdc.js';
import type { Operation } from '../../src/runner/history.js';
import type { CdcPosition } from '../../src/runner/observations.js';

const change = (id: number, customer: string, phase = 'stream', tags: string[] = [], t = id * 10): Operation => ({
  t,
  process: 'lab',
  kind: 'produce',
  outcome: 'ok',
  stream: 'changes',
  key: String(id),
  value: { changeId: id, customerId: customer, op: 'update', phase, tags },
});
let offset = 0;
const record = (id: number, customer: string, t: number, partition = 0, kafkaKey: string | null = customer): Operation => ({
  t,
  process: 'lab',
  kind: 'consume',
  outcome: 'ok',
  stream: 'changes-topic',
  key: String(id),
  partition,
  offset: String(offset++),
  value: { kafkaKey, customerId: customer, changeId: id, raw: '{}' },
});
const position = (at: CdcPosition['at'], p: number | null, publishedMax: number, madeMax: number, t = 500): Operation => ({ t, process: 'lab', kind: 'observe', outcome: 'ok', key: 'cdc-position', value: { at, position: p, source: p === null ? null : 'table', publishedMax, madeMax } });
const kill = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 100, phase: 'start', instance: 1, signal: 'SIGKILL', reason: 'published-not-saved' } });
const restart = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 100, phase: 'heal', instance: 1, restarted: true } });
const p = {};

describe('cdc-changes-published', () => {
  it('passes when every change is in the topic, copies included', () => {
    const h = [change(1, 'a', 'before-start'), change(2, 'b'), record(1, 'a', 100), record(2, 'b', 110), record(2, 'b', 300)];
    expect(cdcChangesPublished.run(h, p).status).toBe('pass');
  });
  it('names saved-before-publish for kill-phase changes the position covered but the topic lacked at the kill', () => {
    const h = [change(1, 'a'), change(2, 'b', 'relay-kill'), change(3, 'c', 'relay-kill'), record(1, 'a', 100), kill(400), position('kill', 3, 1, 3), restart(600)];
    const r = cdcChangesPublished.run(h, p);
    expect(r.cause).toBe('saved-before-publish');
    expect(r.observed).toContain('saved position was change 3');
    expect(r.examples[0]).toContain('change 2 (b)');
  });
  it('names skipped-while-down for changes made before the first start or while the relay was down', () => {
    const h = [change(1, 'a', 'before-start'), change(2, 'b'), change(3, 'a', 'relay-down', ['while-down']), record(2, 'b', 100), kill(400), position('kill', null, 2, 2), restart(600)];
    expect(cdcChangesPublished.run(h, p).cause).toBe('skipped-while-down');
  });
  it('names skipped-while-down for a kill-phase change unpublished at the kill and above the saved position', () => {
    const h = [change(1, 'a'), change(2, 'b', 'relay-kill'), record(1, 'a', 100), kill(400), position('kill', null, 1, 2), restart(600)];
    expect(cdcChangesPublished.run(h, p).cause).toBe('skipped-while-down');
  });
  it('names late-commit-skipped for the update committed late with an old timestamp', () => {
    const h = [change(1, 'a'), change(2, 'b'), change(3, 'a', 'stream', ['late-commit']), record(1, 'a', 100), record(2, 'b', 110)];
    expect(cdcChangesPublished.run(h, p).cause).toBe('late-commit-skipped');
  });
  it('names position-past-unpublished when a loss has no kill or restart to explain it, even beside others', () => {
    const h = [change(1, 'a'), change(2, 'b', 'stream', ['late-commit']), change(3, 'c', 'after-restart'), record(1, 'a', 100)];
    expect(cdcChangesPublished.run(h, p).cause).toBe('position-past-unpublished');
  });
  it('names stalled-after-restart when not one record reached the topic after the restart', () => {
    const h = [change(1, 'a', 'stream'), change(2, 'b', 'relay-kill', [], 300), record(1, 'a', 100), record(2, 'b', 350), kill(400), position('kill', 2, 2, 2), change(3, 'c', 'relay-down', ['while-down'], 450), restart(600), change(4, 'a', 'after-restart', [], 700)];
    const r = cdcChangesPublished.run(h, p);
    expect(r.cause).toBe('stalled-after-restart');
    expect(r.observed).toContain('not one record');
  });
  it('names no cause when nothing reached the topic', () => {
    const r = cdcChangesPublished.run([change(1, 'a')], p);
    expect(r.status).toBe('fail');
    expect(r.cause).toBeUndefined();
  });
});

describe('cdc-copies-only-at-kill', () => {
  it('passes copies above the position saved at the kill, first published before the restart', () => {
    const h = [change(1, 'a'), change(2, 'b'), record(1, 'a', 100), record(2, 'b', 300), kill(400), position('kill', 1, 2, 2), restart(600), record(2, 'b', 700)];
    const r = cdcCopiesOnlyAtKill.run(h, p);
    expect(r.status).toBe('pass');
    expect(r.observed).toContain('1 change published again');
  });
  it('names replayed-from-start when no position was saved at the kill', () => {
    const h = [change(1, 'a'), record(1, 'a', 100), kill(400), position('kill', null, 1, 1), restart(600), record(1, 'a', 700)];
    expect(cdcCopiesOnlyAtKill.run(h, p).cause).toBe('replayed-from-start');
  });
  it('names replayed-from-start when a change below the saved position is published again after the restart', () => {
    const h = [change(1, 'a'), change(2, 'b'), change(3, 'c'), record(1, 'a', 100), record(2, 'b', 110), record(3, 'c', 120), kill(400), position('kill', 3, 3, 3), restart(600), record(1, 'a', 700)];
    const r = cdcCopiesOnlyAtKill.run(h, p);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('replayed-from-start');
  });
  it('names republished-saved for copies of changes the saved position covered', () => {
    const h = [change(1, 'a'), change(2, 'b'), record(1, 'a', 100), record(2, 'b', 110), kill(400), position('kill', 2, 2, 2), restart(600), record(2, 'b', 700)];
    expect(cdcCopiesOnlyAtKill.run(h, p).cause).toBe('republished-saved');
  });
  it('counts a record the lab read twice (same partition and offset) once', () => {
    const r1 = record(1, 'a', 100);
    expect(cdcCopiesOnlyAtKill.run([change(1, 'a'), r1, { ...r1, t: 200 }], p).status).toBe('pass');
  });
});

describe('cdc-key-order', () => {
  it('passes keyed records in one partition per customer, a copy after a later change ignored', () => {
    const h = [record(1, 'a', 1, 0), record(2, 'a', 2, 0), record(1, 'a', 3, 0), record(3, 'b', 4, 1)];
    expect(cdcKeyOrder.run(h, p).status).toBe('pass');
  });
  it('names no-key, wrong-key, split and out-of-order', () => {
    expect(cdcKeyOrder.run([record(1, 'a', 1, 0, null), record(2, 'a', 2, 2, null)], p).cause).toBe('no-key');
    expect(cdcKeyOrder.run([record(1, 'a', 1, 0, '1')], p).cause).toBe('wrong-key');
    expect(cdcKeyOrder.run([record(1, 'a', 1, 0), record(2, 'a', 2, 1)], p).cause).toBe('split');
    expect(cdcKeyOrder.run([record(2, 'a', 1, 0), record(1, 'a', 2, 0)], p).cause).toBe('out-of-order');
  });
});

describe('cdc-position-saved', () => {
  it('passes a position saved at the kill that covers the last change at the end', () => {
    expect(cdcPositionSaved.run([position('kill', 3, 4, 5), position('end', 9, 9, 9, 900)], p).status).toBe('pass');
  });
  it('names never-saved and behind-at-end', () => {
    expect(cdcPositionSaved.run([position('kill', null, 4, 5), position('end', null, 9, 9, 900)], p).cause).toBe('never-saved');
    expect(cdcPositionSaved.run([position('kill', 3, 4, 5), position('end', 7, 9, 9, 900)], p).cause).toBe('behind-at-end');
  });
  it('says the relay never came back when nothing was published after the restart', () => {
    const h = [record(1, 'a', 100), kill(400), position('kill', 1, 1, 2), restart(600), position('end', 1, 1, 5, 900)];
    const r = cdcPositionSaved.run(h, p);
    expect(r.cause).toBe('behind-at-end');
    expect(r.observed).toContain('never got back to polling');
  });
  it('judges a saved position even when no record had a numeric changeId', () => {
    expect(cdcPositionSaved.run([position('kill', 3, 0, 5), position('end', 9, 0, 9, 900)], p).status).toBe('pass');
    expect(cdcPositionSaved.run([position('end', null, 0, 9, 900)], p).status).toBe('fail');
  });
  it('is unknown without the end reading', () => {
    expect(cdcPositionSaved.run([], p).status).toBe('unknown');
  });
});

describe('cdc-value-format', () => {
  const typed = (types: Record<string, string> | null): Operation => {
    const r = record(1, 'a', 100);
    return { ...r, value: { ...(r.value as object), types } };
  };
  const good = { changeId: 'number', customerId: 'string', name: 'string', email: 'string', tier: 'string', updatedAt: 'string' };
  it('passes values with every stated field and type (extra fields allowed)', () => {
    expect(cdcValueFormat.run([typed({ ...good, op: 'string' })], p).status).toBe('pass');
  });
  it('names changeid-not-number when changeId is a string and all else is right', () => {
    const r = cdcValueFormat.run([typed({ ...good, changeId: 'string' })], p);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('changeid-not-number');
    expect(r.examples[0]).toContain('changeId a string');
  });
  it('names fields-wrong for a raw row (snake_case) or a value that is not JSON', () => {
    expect(cdcValueFormat.run([typed({ change_id: 'number', customer_id: 'string' })], p).cause).toBe('fields-wrong');
    expect(cdcValueFormat.run([typed(null)], p).cause).toBe('fields-wrong');
  });
  it('is unknown without records', () => {
    expect(cdcValueFormat.run([], p).status).toBe('unknown');
  });
});
