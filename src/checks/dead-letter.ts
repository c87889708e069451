/**
 * dead-lettered-after-attempts
 *
 * Definitions:
 * - poison message: a message the lab produced with tag `poisonTag`; every attempt to
 *   process it fails (the downstream answers 500 for it, always).
 * - attempt: one `call` to the downstream for that key, whatever its outcome. Counted by
 *   the downstream itself, so the learner's program cannot miscount it.
 * - dead-lettered: the lab found the message in the dead-letter queue (a `dead-letter`
 *   operation with its key) after the run.
 * - reason kept: the dead-lettered message says why: RabbitMQ's x-death header (added when
 *   the broker dead-letters) or an x-last-error header the learner's program set.
 *
 * Passes when every poison message was attempted exactly `attempts` times, dead-lettered
 * once, with a reason, and no healthy message was dead-lettered.
 */
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, firstFew, num, select, selector, str, tagsOf } from './types.js';

export interface DeadLetterParams {
  subject: string;
  attempts: number;
  poisonTag: string;
  calls: Selector;
  deadLetters: Selector;
}

interface DeadLetterValue {
  reason?: string | null;
}

export const deadLetteredAfterAttempts: CheckDefinition<DeadLetterParams> = {
  name: 'dead-lettered-after-attempts',
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    attempts: num(raw, 'attempts'),
    poisonTag: str(raw, 'poisonTag', 'poison'),
    calls: selector(raw, 'calls'),
    deadLetters: selector(raw, 'deadLetters'),
  }),
  run(history, p) {
    const produced = history.filter((op) => op.kind === 'produce' && op.outcome === 'ok');
    const poison = produced.filter((op) => tagsOf(op).includes(p.poisonTag));
    const healthy = new Set(produced.filter((op) => !tagsOf(op).includes(p.poisonTag)).map((op) => op.key));
    const attempts = new Map<string, number>();
    for (const op of select(history, p.calls)) attempts.set(op.key ?? '', (attempts.get(op.key ?? '') ?? 0) + 1);
    const deadLettered = new Map<string, Operation[]>();
    for (const op of select(history, p.deadLetters, 'ok')) {
      const list = deadLettered.get(op.key ?? '') ?? [];
      list.push(op);
      deadLettered.set(op.key ?? '', list);
    }

    const problems: string[] = [];
    let tooMany = 0;
    let tooFew = 0;
    let missing = 0;
    let noReason = 0;
    for (const op of poison) {
      const key = op.key ?? '';
      const n = attempts.get(key) ?? 0;
      const found = deadLettered.get(key) ?? [];
      if (n > p.attempts) {
        tooMany++;
        problems.push(`${key} was attempted ${n} times (expected exactly ${p.attempts})${found.length ? '' : ' and never dead-lettered'}`);
      } else if (n === 0) {
        tooFew++;
        problems.push(`${key} was never attempted: nothing called the downstream for it`);
      } else if (n < p.attempts) {
        tooFew++;
        problems.push(`${key} was attempted only ${n} time${n === 1 ? '' : 's'} (expected exactly ${p.attempts})`);
      } else if (found.length === 0) {
        missing++;
        problems.push(`${key} was attempted ${n} times, then disappeared: it is not in the dead-letter queue`);
      }
      if (found.length > 1) problems.push(`${key} is in the dead-letter queue ${found.length} times`);
      if (found.length > 0 && !found.some((d) => Boolean((d.value as DeadLetterValue | undefined)?.reason))) {
        noReason++;
        problems.push(`${key} reached the dead-letter queue without a reason (no x-death or x-last-error header)`);
      }
    }
    const wronglyDeadLettered = [...deadLettered.keys()].filter((key) => healthy.has(key));
    for (const key of wronglyDeadLettered) {
      problems.push(`${key} could have succeeded but was dead-lettered after ${attempts.get(key) ?? 0} attempt(s)`);
    }

    const title = `Poison ${p.subject}s are dead-lettered after exactly ${p.attempts} attempts`;
    const expected = `each of the ${poison.length} poison ${p.subject}s is attempted exactly ${p.attempts} times, then moved to the dead-letter queue with its reason; healthy ones never are`;
    if (poison.length === 0) {
      return { title, status: 'unknown', expected, observed: 'the lab sent no poison messages', examples: [] };
    }
    if (problems.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${poison.length} dead-lettered after ${p.attempts} attempts, with a reason`, examples: [] };
    }
    const parts = [
      tooMany && `${tooMany} retried too often`,
      tooFew && `${tooFew} not attempted ${p.attempts} times`,
      missing && `${missing} dropped instead of dead-lettered`,
      noReason && `${noReason} without a reason`,
      wronglyDeadLettered.length && `${wronglyDeadLettered.length} healthy ${p.subject}s dead-lettered`,
    ].filter(Boolean);
    return { title, status: 'fail', expected, observed: `${parts.join(', ')}`, examples: firstFew(problems) };
  },
};
