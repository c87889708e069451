/**
 * at-least-once
 *
 * A consumer that claims at-least-once tells the broker a message is done only after the
 * work, so a crash in the middle gives the message back and it is processed again: nothing
 * is lost, and the price is duplicates. The lab checks that the message in hand at the crash
 * came back, and counts the duplicates (they never fail this check: making them harmless is
 * idempotency's job).
 *
 * Definitions (attempt, copy, kill: see attempts.ts):
 * - sent: the lab's messages on the queue (`sent`, outcome "ok").
 * - cut short: a message with an attempt of outcome "info" (its copy was killed mid-call).
 * - written again: a cut-short message with an "ok" attempt that arrived after the cut one.
 * - duplicate: a message written (ok) after an earlier attempt that was written or cut short:
 *   "written twice" when two attempts were ok, "maybe twice" when the earlier one was cut
 *   short (the service may have done it before the caller died).
 *
 * Causes (the first the evidence shows):
 * - nothing-processed: no message of the queue was attempted at all.
 * - wrong-copy: messages of the queue were processed by a copy whose ROLE is another.
 * - not-redelivered: a message cut short by a kill was never written afterwards: the broker
 *   had already been told it was done (auto-ack, an ack before the work, an ack with
 *   `multiple` covering it).
 *
 * Unknown: the lab sent nothing, or no attempt of the queue was cut short by a kill (the
 * claim was never put to the test).
 */
import type { History } from '../runner/history.js';
import { type GuaranteeParams, attemptsByKey, copyName, describeAttempt, parseGuaranteeParams, wrongCopies, wrongCopyObserved } from './attempts.js';
import { type CheckDefinition, countOf, firstFew, seconds, select } from './types.js';

export type AtLeastOnceCause = 'nothing-processed' | 'wrong-copy' | 'not-redelivered';

export const AT_LEAST_ONCE_CAUSES: Record<AtLeastOnceCause, string> = {
  'nothing-processed': 'Nothing of this queue was processed at all. The copy with this ROLE must consume its own queue (the one its environment names) and call the service for each message.',
  'wrong-copy': 'Messages of this queue were processed by a copy with another ROLE. Each copy consumes only its own queue, picked by ROLE; send x-instance-id: INSTANCE_ID with each call so the lab can tell the copies apart.',
  'not-redelivered':
    'The message your program was working on when it was killed never came back: the broker had already been told it was done. At-least-once acknowledges a message only after its work succeeded, and only that message (no auto-ack, no ack on arrival, no ack with multiple).',
};

export const atLeastOnce: CheckDefinition<GuaranteeParams> = {
  name: 'at-least-once',
  causes: AT_LEAST_ONCE_CAUSES,
  parseParams: parseGuaranteeParams,
  run(history: History, p) {
    const sent = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    const total = sent.length;
    const byKey = attemptsByKey(history, p.calls);
    const title = `At-least-once: the ${p.subject} in hand at a crash is written again`;
    const expected = `every ${p.subject} of ${p.queue} that was being written when its copy was killed is written again afterwards (duplicates allowed, and counted)`;
    if (total === 0) return { title, status: 'unknown', expected, observed: 'the lab sent nothing, so nothing could be checked', examples: [] };

    // In id order ("amo-0001-...", "amo-0002-..."): examples read in the order they were sent.
    const keys = sent.map((op) => op.key as string).sort();
    const sentAt = new Map(sent.map((op) => [op.key as string, op.t]));
    if (!keys.some((k) => (byKey.get(k)?.length ?? 0) > 0)) {
      return { title, status: 'fail', expected, observed: `none of the ${total} ${p.subject}s sent to ${p.queue} was processed`, examples: [], cause: 'nothing-processed' };
    }
    const wrong = wrongCopies(keys, byKey, p);
    if (wrong.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: wrongCopyObserved(wrong, total, p),
        examples: firstFew(wrong).map((w) => `${w.key}: written by ${copyName(w.instance, p.roles)}`),
        cause: 'wrong-copy',
      };
    }

    const cut = keys.filter((k) => byKey.get(k)?.some((a) => a.outcome === 'info'));
    if (cut.length === 0) {
      return {
        title,
        status: 'unknown',
        expected,
        observed: `no ${p.subject} of ${p.queue} was being written when the lab killed its copy, so whether a crash loses one could not be tested`,
        examples: [],
      };
    }
    const notAgain = cut.filter((k) => {
      const attempts = byKey.get(k) ?? [];
      const firstCut = attempts.find((a) => a.outcome === 'info');
      return !attempts.some((a) => a.outcome === 'ok' && a.at > (firstCut?.at ?? 0));
    });
    if (notAgain.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${countOf(notAgain.length, cut.length, p.subject)} being written when your program was killed ${notAgain.length === 1 ? 'was' : 'were'} never written again: RabbitMQ did not give ${notAgain.length === 1 ? 'it' : 'them'} back`,
        examples: firstFew(notAgain).map((k) => {
          const attempts = byKey.get(k) ?? [];
          return `${k} (sent at ${seconds(sentAt.get(k) ?? 0)}): ${attempts.map(describeAttempt).join(', then ')}${attempts.length === 1 ? ', never attempted again' : ''}`;
        }),
        cause: 'not-redelivered',
      };
    }

    // Duplicates: counted, never a failure.
    let certain = 0;
    let maybe = 0;
    const duplicates: string[] = [];
    for (const k of keys) {
      const attempts = byKey.get(k) ?? [];
      const oks = attempts.filter((a) => a.outcome === 'ok');
      if (oks.length >= 2) certain++;
      else if (oks.length === 1 && attempts.some((a) => a.outcome === 'info' && a.at < (oks[0]?.at ?? 0))) maybe++;
      else continue;
      duplicates.push(`${k}: ${attempts.map(describeAttempt).join(', then ')}`);
    }
    const n = certain + maybe;
    return {
      title: `At-least-once: the ${p.subject} in hand at a crash is written again (${n} duplicate${n === 1 ? '' : 's'}: allowed, counted)`,
      status: 'pass',
      expected,
      observed: `${cut.length === 1 ? `the ${p.subject} cut short by the kill was` : `all ${cut.length} ${p.subject}s cut short by the kill were`} written again; duplicates: ${certain} written twice, ${maybe} cut short by the kill and then written again (at-least-once allows both)`,
      examples: firstFew(duplicates),
    };
  },
};
