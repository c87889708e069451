// Unit tests of the idempotent consumer's checks over literal histories: applied-once,
// ledger-entries, and no-lost-messages' marked-not-done, each passing on a good history and
// naming the cause the evidence shows on the bad ones.
import { describe, expect, it } from 'vitest';
import { appliedOnce, quoteAttempt } from '../../src/checks/applied-once.js';
import { ledgerEntries } from '../../src/checks/ledger-entries.js';
import { noLostMessages } from '../../src/checks/lost.js';
import type { Operation } from '../../src/runner/history.js';

const payment = (key: string, eurCents = 100): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'payments', key, value: { paymentId: key, account: 'ACC-01', eurCents, tags: [] } });
const copy = (t: number, key: string, tag: 'same-message-id' | 'new-message-id'): Operation => ({ t, process: 'nemesis', kind: 'produce', outcome: 'ok', stream: 'payments', key, value: { copyOf: key, tags: ['duplicate', tag] } });
const quote = (arrivedAt: number, t: number, key: string, attempt: number, instance: number, outcome: Operation['outcome'] = 'ok'): Operation => ({ t, process: 'downstream', kind: 'call', outcome, stream: 'fx-api', key, attempt, value: { instance, arrivedAt, status: outcome === 'ok' ? 200 : 503 } });
const line = (t: number, key: string, attempt: number, eurCents: unknown = 100, account: unknown = 'ACC-01'): Operation => ({
  t,
  process: 'lab',
  kind: 'consume',
  outcome: 'ok',
  stream: 'ledger',
  key,
  value: { index: 0, line: '{}', quoteId: `Q-${key}-${attempt}`, fields: { paymentId: key, account, quoteId: `Q-${key}-${attempt}`, eurCents } },
});
const kill = (t: number, instance: number, heal: number): Operation[] => [
  { t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: instance, phase: 'start', instance, signal: 'SIGKILL' } },
  { t: heal, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: instance, phase: 'heal', instance, restarted: true } },
];
const marks = (marked: string[], shortestTtlMs?: number, outsidePrefix?: string[]): Operation => ({
  t: 9000,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'processed-marks',
  value: { marked, markedAt: Object.fromEntries(marked.map((id) => [id, 200])), keys: marked.length, ...(shortestTtlMs === undefined ? {} : { shortestTtlMs, shortestTtlKey: 'posted:x' }), ...(outsidePrefix ? { outsidePrefix, outsideCount: outsidePrefix.length } : {}) },
});

const params = appliedOnce.parseParams({
  subject: 'payment',
  sent: { kind: 'produce', stream: 'payments' },
  applied: { kind: 'consume', stream: 'ledger' },
  quotes: { kind: 'call', stream: 'fx-api' },
  keepMs: 600_000,
});

/** Two payments posted once each; copies of both, recognised. */
const good: Operation[] = [
  payment('p1'),
  payment('p2'),
  quote(100, 150, 'p1', 1, 1),
  line(160, 'p1', 1),
  quote(100, 170, 'p2', 1, 2),
  line(180, 'p2', 1),
  copy(1000, 'p1', 'same-message-id'),
  copy(1000, 'p2', 'new-message-id'),
  quote(1010, 1060, 'p1', 2, 2),
  quote(1010, 1060, 'p2', 2, 1),
];

describe('applied-once', () => {
  it('passes when every payment is posted once, copies recognised', () => {
    const r = appliedOnce.run([...good, marks(['p1', 'p2'])], params);
    expect(r.status).toBe('pass');
    expect(r.observed).toContain('none twice');
  });

  it('reads the quote attempt from a quote id of that payment only', () => {
    expect(quoteAttempt('Q-pay-0001-ab12cd-3', 'pay-0001-ab12cd')).toBe(3);
    expect(quoteAttempt('Q-pay-0002-ab12cd-3', 'pay-0001-ab12cd')).toBeUndefined();
    expect(quoteAttempt(42, 'p1')).toBeUndefined();
  });

  it('names a copy posted again after a restart, by a copy that forgot: not-remembered', () => {
    const r = appliedOnce.run([...good, ...kill(500, 1, 700), line(1070, 'p1', 2), marks([])], { ...params });
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('not-remembered');
    expect(r.examples[0]).toContain('p1 (copied with the same message id): processed 2 times');
    expect(r.examples[0]).toContain('another copy');
  });

  it('names a marked payment posted again: mark-not-obeyed', () => {
    const r = appliedOnce.run([...good, ...kill(500, 1, 700), line(1070, 'p1', 2), marks(['p1', 'p2'])], params);
    expect(r.cause).toBe('mark-not-obeyed');
    expect(r.examples[0]).toContain('it was marked in your key store');
  });

  it('names a copy killed right after its posting, before its mark: not-atomic', () => {
    // Copy 1 is killed at 0.2s during a quote it asked for at 0.12s, before p1's answer (0.15s).
    const victim: Operation = { t: 200, process: 'downstream', kind: 'call', outcome: 'info', stream: 'fx-api', key: 'p9', attempt: 1, value: { instance: 1, arrivedAt: 120 } };
    const killed = kill(200, 1, 400).map((op) => (op.value as { phase: string }).phase === 'start' ? { ...op, key: 'p9' } : op);
    const r = appliedOnce.run([...good, victim, ...killed, line(1070, 'p1', 2), marks(['p1', 'p2'])], params);
    expect(r.cause).toBe('not-atomic');
    expect(r.examples[0]).toContain('copy 1 was killed at 0.2s, right after its first posting');
  });

  it('names marks kept outside KEY_PREFIX', () => {
    const r = appliedOnce.run([...good, marks([], undefined, ['processed:p1'])], params);
    expect(r.cause).toBe('marks-outside-prefix');
    expect(r.examples).toEqual(['processed:p1: not under KEY_PREFIX']);
  });

  it('names the same copy posting again after its restart', () => {
    const history = [...good.slice(0, 6), copy(1000, 'p1', 'same-message-id'), ...kill(500, 1, 700), quote(1010, 1060, 'p1', 2, 1), line(1070, 'p1', 2)];
    const r = appliedOnce.run(history, params);
    expect(r.cause).toBe('not-remembered');
    expect(r.examples[0]).toContain('after that copy was restarted at 0.7s');
  });

  it('names copies with a new message id posted again while same-id copies were not: deduped-by-message-id', () => {
    const r = appliedOnce.run([...good, line(1070, 'p2', 2)], params);
    expect(r.cause).toBe('deduped-by-message-id');
    expect(r.observed).toContain('the 1 copied with the same message id were processed once');
  });

  it('names two postings whose quotes overlapped: raced', () => {
    const history = [...good, payment('p3'), copy(2000, 'p3', 'new-message-id'), quote(2000, 2300, 'p3', 1, 1), quote(2010, 2060, 'p3', 2, 2), line(2070, 'p3', 2), line(2310, 'p3', 1)];
    const r = appliedOnce.run(history, params);
    expect(r.cause).toBe('raced');
    expect(r.examples[0]).toContain('at the same time');
  });

  it('names marks that live shorter than asked, even when nothing was posted twice', () => {
    const r = appliedOnce.run([...good, marks(['p1', 'p2'], 57_000)], params);
    expect(r.cause).toBe('marks-expire-too-soon');
    expect(r.observed).toBe('a mark had only 57.0s left to live');
    expect(r.examples[0]).toContain('up to 10 minutes after the original');
    // A day-long mark, seen a few seconds after it was set, is fine.
    expect(appliedOnce.run([...good, marks(['p1'], 86_395_000)], params).status).toBe('pass');
  });
});

describe('ledger-entries', () => {
  const entryParams = ledgerEntries.parseParams({
    subject: 'payment',
    sent: { kind: 'produce', stream: 'payments' },
    entries: { kind: 'consume', stream: 'ledger' },
    quotes: { kind: 'call', stream: 'fx-api' },
    amountField: 'eurCents',
    copiedFields: ['account'],
  });

  it('passes on lines naming a real quote and its amount', () => {
    expect(ledgerEntries.run(good, entryParams).status).toBe('pass');
  });

  it('names a wrong amount, an unknown quote and an unreadable line, the first that applies', () => {
    expect(ledgerEntries.run([...good.slice(0, 5), quote(100, 170, 'p2', 1, 2), line(180, 'p2', 1, 95)], entryParams).cause).toBe('wrong-amount');
    expect(ledgerEntries.run([...good.slice(0, 5), line(180, 'p2', 7)], entryParams).cause).toBe('unknown-quote');
    expect(ledgerEntries.run([...good.slice(0, 5), line(180, 'p2', 1, '100')], entryParams).cause).toBe('wrong-type');
    const noAccount = ledgerEntries.run([...good.slice(0, 5), line(180, 'p2', 1, 100, null)], entryParams);
    expect(noAccount.cause).toBe('wrong-field');
    expect(noAccount.examples[0]).toBe('entry 0 (p2): "account" is null, but the payment had "ACC-01"');
    const unreadable: Operation = { t: 200, process: 'lab', kind: 'consume', outcome: 'fail', stream: 'ledger', value: { index: 2, line: 'posted p2' } };
    const r = ledgerEntries.run([...good, unreadable], entryParams);
    expect(r.cause).toBe('unreadable');
    expect(r.examples[0]).toBe('entry 2: "posted p2"');
  });

  it('is unknown when nothing was written', () => {
    expect(ledgerEntries.run([payment('p1')], entryParams).status).toBe('unknown');
  });
});

describe('no-lost-messages with marks', () => {
  const lostParams = noLostMessages.parseParams({
    subject: 'payment',
    sent: { kind: 'produce', stream: 'payments' },
    delivered: { kind: 'consume', stream: 'ledger' },
    attempts: { kind: 'call', stream: 'fx-api' },
    marks: true,
  });

  it('counts a payment and its copies once', () => {
    const r = noLostMessages.run(good, lostParams);
    expect(r.status).toBe('pass');
    expect(r.observed).toBe('all 2 arrived');
  });

  it('names a payment marked but never posted: marked-not-done', () => {
    const history = [payment('p1'), payment('p2'), quote(100, 150, 'p1', 1, 1), line(160, 'p1', 1), quote(100, 150, 'p2', 1, 2, 'fail'), marks(['p1', 'p2'])];
    const r = noLostMessages.run(history, lostParams);
    expect(r.cause).toBe('marked-not-done');
    expect(r.examples[0]).toBe('p2 (sent at 0.0s): marked as processed in your key store, but never processed (its last attempt at 0.1s failed)');
  });

  it('names payments never attempted while the queue still held them: left-in-queue', () => {
    const left: Operation = { t: 9500, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-left-after-stop', value: { name: 'PAYMENTS_QUEUE', queue: 'payments', left: 3, sent: 3 } };
    const history = [payment('p1'), payment('p2'), payment('p3'), quote(100, 150, 'p1', 1, 1), line(160, 'p1', 1), marks(['p1']), left];
    const r = noLostMessages.run(history, lostParams);
    expect(r.cause).toBe('left-in-queue');
    expect(r.examples[0]).toBe('p2 (sent at 0.0s): never attempted; 3 messages were still in PAYMENTS_QUEUE when your program was stopped');
  });

  it('without marks, the same loss is a failed attempt nobody retried', () => {
    const history = [payment('p1'), payment('p2'), quote(100, 150, 'p1', 1, 1), line(160, 'p1', 1), quote(100, 150, 'p2', 1, 2, 'fail'), marks([])];
    expect(noLostMessages.run(history, lostParams).cause).toBe('gave-up');
  });
});
