/**
 * at-most-once
 *
 * A consumer that claims at-most-once must never process a message twice: it tells the
 * broker a message is done (ack, auto-ack) before it does the work, so a crash may lose the
 * message in hand, but nothing ever comes back for a second go. The lab measures both sides.
 *
 * Definitions (attempt, copy, kill: see attempts.ts):
 * - sent: the lab's messages on the queue (`sent`, outcome "ok").
 * - processed twice: a message with more than one attempt. One attempt per message, whatever
 *   it came to: a call cut short by a kill may have been done, and a refused one may have
 *   been done before the refusal, so another attempt can write it twice.
 * - lost at a kill: sent before the role's copy was started again after a kill (before the
 *   kill, or while the copy was dying: the broker may still have pushed it there), and never
 *   attempted: the killed copy had taken it. At-most-once allows that; the lab counts them.
 * - skipped: never attempted, and no kill explains it.
 *
 * Causes (the first that the evidence shows):
 * - nothing-processed: no message of the queue was attempted at all.
 * - wrong-copy: messages of the queue were processed by a copy whose ROLE is another.
 * - rejected: the service refused calls as malformed (a 400 with the reason).
 * - retried-after-failure: a refused attempt was followed by another, no kill between: the
 *   program sent the message back (nack with requeue) or retried the call.
 * - redelivered-after-kill: a second attempt after a kill (the first was cut short by it,
 *   or the kill struck between them): the message was acked only after the work, so the
 *   broker gave it again to the restarted copy.
 * - processed-twice: a second attempt after a finished one, with no kill between.
 * - skipped: messages never attempted, though no kill explains it.
 * - discarded: more messages lost at kills than the killed copy can have held: for each kill
 *   (with the lab's look at the queue moments after it, `amqp-ready-at-kill`), what was sent
 *   by that look, less what was still ready in the queue, less what was ever attempted, plus
 *   the publishes not yet confirmed (given to the program's benefit).
 *
 * Unknown: the lab sent nothing, or no kill cut one of the queue's attempts short (the
 * claim was never put to the test).
 */
import type { History } from '../runner/history.js';
import { observationsOf } from '../runner/observations.js';
import { type Attempt, type GuaranteeParams, attemptsByKey, copyName, describeAttempt, killBetween, kills, parseGuaranteeParams, wrongCopies, wrongCopyObserved } from './attempts.js';
import { type CheckDefinition, countOf, firstFew, seconds, select } from './types.js';

export type AtMostOnceCause = 'nothing-processed' | 'wrong-copy' | 'rejected' | 'retried-after-failure' | 'redelivered-after-kill' | 'processed-twice' | 'skipped' | 'discarded';

export const AT_MOST_ONCE_CAUSES: Record<AtMostOnceCause, string> = {
  'nothing-processed': 'Nothing of this queue was processed at all. The copy with this ROLE must consume its own queue (the one its environment names) and call the service for each message.',
  'wrong-copy': 'Messages of this queue were processed by a copy with another ROLE. Each copy consumes only its own queue, picked by ROLE; send x-instance-id: INSTANCE_ID with each call so the lab can tell the copies apart.',
  'retried-after-failure':
    'A failed message was attempted again. At-most-once means one attempt per message, whatever it came to: acknowledge it before the work (or consume with auto-ack) and never send it back (no nack with requeue, no retry loop). A failure is lost, by design.',
  'redelivered-after-kill':
    'After the crash the broker gave a message back and it was processed a second time: it had been acknowledged only after the work. At-most-once acknowledges first (auto-ack, or ack as soon as the message arrives), then works.',
  rejected: "The service refused your calls as malformed (HTTP 400), saying why (in the examples): send exactly what the README's contract asks, the headers included. A refused call did nothing.",
  'processed-twice': 'A message was processed twice without a crash between. Process each message once.',
  skipped: 'Some messages were never processed though nothing crashed. At-most-once may lose only the messages a crash takes with it.',
  discarded:
    'More messages were lost than the killed copy held: some were still waiting in the queue when it died, and your program never processed them (a queue purged at start-up, or messages dropped without a call). At-most-once may lose only what the crash took with it; the restarted copy processes everything still in the queue.',
};

/** Most telling first: a wrong copy makes every other observation about the wrong program. */
const RANK: AtMostOnceCause[] = ['nothing-processed', 'wrong-copy', 'rejected', 'retried-after-failure', 'redelivered-after-kill', 'processed-twice', 'skipped', 'discarded'];

type TwiceCause = Extract<AtMostOnceCause, 'retried-after-failure' | 'redelivered-after-kill' | 'processed-twice'>;

/** Why one message's attempts after the first happened (the most telling pair). */
function twiceCause(attempts: readonly Attempt[], allKills: ReturnType<typeof kills>): TwiceCause {
  const pairs: TwiceCause[] = [];
  for (let i = 1; i < attempts.length; i++) {
    const before = attempts[i - 1] as Attempt;
    const after = attempts[i] as Attempt;
    const kill = killBetween(before.at, after.at, allKills);
    if (before.outcome === 'fail' && !kill) pairs.push('retried-after-failure');
    else if (before.outcome === 'info' || kill) pairs.push('redelivered-after-kill');
    else pairs.push('processed-twice');
  }
  return RANK.find((c) => pairs.includes(c as TwiceCause)) as TwiceCause;
}

export const atMostOnce: CheckDefinition<GuaranteeParams> = {
  name: 'at-most-once',
  causes: AT_MOST_ONCE_CAUSES,
  parseParams: parseGuaranteeParams,
  run(history: History, p) {
    const sent = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    const total = sent.length;
    const byKey = attemptsByKey(history, p.calls);
    const title = `At-most-once: no ${p.subject} of ${p.queue} processed twice`;
    const expected = `each of the ${total} ${p.subject}s of ${p.queue} is attempted at most once (one call, whatever its answer); only those its copy held when it was killed may be lost`;
    if (total === 0) return { title, status: 'unknown', expected, observed: 'the lab sent nothing, so nothing could be checked', examples: [] };

    // In id order ("amo-0001-...", "amo-0002-..."): examples read in the order they were sent.
    const keys = sent.map((op) => op.key as string).sort();
    const sentAt = new Map(sent.map((op) => [op.key as string, op.t]));
    const attempted = keys.filter((k) => (byKey.get(k)?.length ?? 0) > 0);
    if (attempted.length === 0) {
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

    const refusedAsMalformed = keys.flatMap((k) => (byKey.get(k) ?? []).filter((a) => a.rejected !== undefined).map((a) => ({ key: k, reason: a.rejected as string })));
    if (refusedAsMalformed.length > 0) {
      const first = refusedAsMalformed[0];
      return {
        title,
        status: 'fail',
        expected,
        observed: `the service refused ${refusedAsMalformed.length} call${refusedAsMalformed.length === 1 ? '' : 's'} for ${p.subject}s of ${p.queue} as malformed (400): "${first?.reason ?? ''}"`,
        examples: firstFew(refusedAsMalformed).map((r) => `${r.key}: refused: ${r.reason}`),
        cause: 'rejected',
      };
    }

    const allKills = kills(history);
    // Kills of the role's copy (or of an unnamed copy) excuse a loss.
    const roleKills = allKills.filter((k) => k.instance === undefined || p.roles[k.instance - 1] === p.role);
    const twice = keys.filter((k) => (byKey.get(k)?.length ?? 0) > 1).map((k) => ({ key: k, attempts: byKey.get(k) ?? [], cause: twiceCause(byKey.get(k) ?? [], allKills) }));
    const never = keys.filter((k) => (byKey.get(k)?.length ?? 0) === 0);
    const lostAtKill = never.filter((k) => roleKills.some((kill) => (kill.healedAt ?? kill.t) >= (sentAt.get(k) ?? 0)));
    const skipped = never.filter((k) => !lostAtKill.includes(k));
    const refused = keys.filter((k) => byKey.get(k)?.length === 1 && byKey.get(k)?.[0]?.outcome === 'fail').length;
    const cutShort = keys.filter((k) => byKey.get(k)?.some((a) => a.outcome === 'info')).length;

    if (twice.length > 0) {
      const cause = RANK.find((c) => twice.some((t) => t.cause === c)) as TwiceCause;
      const PHRASE: Record<TwiceCause, string> = {
        'retried-after-failure': 'attempted again after the service refused it',
        'redelivered-after-kill': 'processed again after your program was killed',
        'processed-twice': 'processed twice with no crash between',
      };
      const counts = (Object.keys(PHRASE) as TwiceCause[]).map((c) => [c, twice.filter((t) => t.cause === c).length] as const).filter(([, n]) => n > 0);
      const ordered = [...twice].sort((a, b) => RANK.indexOf(a.cause) - RANK.indexOf(b.cause));
      return {
        title,
        status: 'fail',
        expected,
        observed: `${countOf(twice.length, total, p.subject)} of ${p.queue} ${twice.length === 1 ? 'was' : 'were'} attempted more than once: ${counts.map(([c, n]) => `${n} ${PHRASE[c]}`).join(', ')}`,
        examples: firstFew(ordered).map((t) => `${t.key} (sent at ${seconds(sentAt.get(t.key) ?? 0)}): ${t.attempts.length} attempts: ${t.attempts.map(describeAttempt).join(', then ')}`),
        cause,
      };
    }
    if (skipped.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${countOf(skipped.length, total, p.subject)} of ${p.queue} ${skipped.length === 1 ? 'was' : 'were'} never processed, and no kill of the ROLE=${p.role} copy came after ${skipped.length === 1 ? 'it was' : 'they were'} sent`,
        examples: firstFew(skipped).map((k) => `${k} (sent at ${seconds(sentAt.get(k) ?? 0)}): never processed`),
        cause: 'skipped',
      };
    }
    if (cutShort === 0) {
      return {
        title,
        status: 'unknown',
        expected,
        observed: `no ${p.subject} of ${p.queue} was being written when the lab killed its copy, so whether a crash makes your program process one twice could not be tested`,
        examples: [],
      };
    }
    // The killed copy held at most what had left the queue by the time the lab looked at the
    // kill (sent by then, less what was still ready) and was never attempted; publishes not
    // yet confirmed then count as held, to be fair. Anything else never attempted was still
    // waiting in the queue (or came later): the restarted copy had to process it.
    const samples = observationsOf(history, 'amqp-ready-at-kill').filter((op) => op.value.name === p.queue).map((op) => op.value);
    const sampled = roleKills.map((kill) => ({ kill, sample: samples.find((s) => s.killAt === kill.t) }));
    if (lostAtKill.length > 0 && sampled.length > 0 && sampled.every((x) => x.sample !== undefined)) {
      const held = sampled.reduce((sum, { kill, sample }) => {
        const sentBy = keys.filter((k) => (sentAt.get(k) ?? 0) <= (sample?.at ?? kill.t));
        const attempted = sentBy.filter((k) => (byKey.get(k)?.length ?? 0) > 0).length;
        return sum + Math.max(0, sentBy.length - (sample?.ready ?? 0) - attempted + (sample?.publishing ?? 0));
      }, 0);
      if (lostAtKill.length > held) {
        const waiting = sampled.reduce((sum, { sample }) => sum + (sample?.ready ?? 0), 0);
        return {
          title,
          status: 'fail',
          expected,
          observed: `${countOf(lostAtKill.length, total, p.subject)} of ${p.queue} ${lostAtKill.length === 1 ? 'was' : 'were'} never processed, but the killed copy held at most ${held}: ${waiting} ${waiting === 1 ? 'was' : 'were'} still waiting in the queue when it died, and nothing processed ${waiting === 1 ? 'it' : 'them'} afterwards`,
          examples: firstFew(lostAtKill).map((k) => `${k} (sent at ${seconds(sentAt.get(k) ?? 0)}): never processed`),
          cause: 'discarded',
        };
      }
    }
    const tally = [`${lostAtKill.length} lost with the killed copy`, `${cutShort} cut short by the kill`, `${refused} refused by the service and not retried`];
    return {
      title: `At-most-once: no ${p.subject} of ${p.queue} processed twice (up to ${lostAtKill.length + cutShort} lost at the crash: allowed, counted)`,
      status: 'pass',
      expected,
      observed: `none of the ${total} ${p.subject}s was attempted twice; ${tally.join(', ')} (at-most-once allows these losses)`,
      examples: [],
    };
  },
};
