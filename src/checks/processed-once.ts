/**
 * processed-once-across-brokers
 *
 * A migration between brokers delivers some messages twice: the producers wrote a few to both
 * brokers while they switched (dual write), and a consumer killed mid-message gets it again.
 * An idempotent consumer recognises a message it already processed by its id, whichever broker
 * it came from and however long ago, restarts included.
 *
 * Definitions:
 * - effect: an operation matching `effects` with outcome "ok" (the downstream did the work;
 *   a call cut short by a kill is "info" and is not an effect).
 * - processed twice: a key with two or more effects.
 * - kill between: a SIGKILL of the program after the key's first effect and before its second.
 * - an overlap copy: a `produce` of a key already produced, tagged `overlapTag` (the copy a
 *   dual-writing producer sent on the new broker).
 *
 * Causes, the first that applies:
 * - not-deduplicated: some key was processed twice with no kill between its two effects: the
 *   program does not recognise a message it has already processed at all.
 * - forgotten-at-restart: every key processed twice had a kill between its effects: the
 *   program recognises copies only while it runs (ids kept in memory), and forgets at a restart.
 * - marks-outside-prefix: nothing processed twice, but the program keeps its marks outside
 *   KEY_PREFIX (observation "processed-marks": keys outside it name the run's ids, or keys
 *   were processed and no mark of any was found under it): the lab cannot watch them (a mark
 *   set before the work goes unseen) and they outlive the run.
 */
import type { History, Operation } from '../runner/history.js';
import { kills } from './attempts.js';
import { lastObservation } from '../runner/observations.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, seconds, str, tagsOf } from './types.js';

export interface ProcessedOnceParams {
  /** What one message is to the learner: "order". */
  subject: string;
  sent: Selector;
  effects: Selector;
  /** The tag of the lab's copies on the new broker ("overlap"). */
  overlapTag: string;
}

export type ProcessedOnceCause = 'not-deduplicated' | 'forgotten-at-restart' | 'marks-outside-prefix';

export const PROCESSED_ONCE_CAUSES: Record<ProcessedOnceCause, string> = {
  'not-deduplicated':
    'A message that came twice was processed twice, with no restart in between: your program does not check whether it has already processed a message. Keep the id of every processed message where it outlives your program (a Redis key under KEY_PREFIX), and skip (but acknowledge) a message whose id is already there.',
  'forgotten-at-restart':
    'Messages processed before your program was restarted were processed again when they came a second time: the ids your program remembers live in its memory and die with it. Keep them in Redis (SET KEY_PREFIX + "done:" + id), not in a set in your program.',
  'marks-outside-prefix':
    'Your program remembers processed ids in Redis, but not under KEY_PREFIX: every key it creates must start with KEY_PREFIX (e.g. KEY_PREFIX + "shipped:" + id). The lab watches and cleans up only those keys; others outlive the run and mix with other runs\' ids.',
};

export const processedOnceAcrossBrokers: CheckDefinition<ProcessedOnceParams> = {
  name: 'processed-once-across-brokers',
  causes: PROCESSED_ONCE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), effects: selector(raw, 'effects'), overlapTag: str(raw, 'overlapTag') }),
  run(history: History, p) {
    const produced = select(history, p.sent, 'ok');
    const keys = new Set(produced.map((op) => op.key ?? ''));
    const copied = new Set(produced.filter((op) => tagsOf(op).includes(p.overlapTag)).map((op) => op.key ?? ''));
    const title = `Each ${p.subject} is processed once, from whichever broker it came`;
    const expected = `each of the ${keys.size} ${p.subject}s processed exactly once, though ${copied.size} of them came on both brokers and the program was restarted`;
    const effects = new Map<string, Operation[]>();
    for (const op of select(history, p.effects, 'ok')) effects.set(op.key ?? '', [...(effects.get(op.key ?? '') ?? []), op]);
    const twice = [...effects].filter(([, list]) => list.length > 1);
    if (twice.length === 0) {
      const marks = lastObservation(history, 'processed-marks');
      const outside = marks?.outside;
      if (outside && outside.count > 0) {
        return { title, status: 'fail', expected: `${expected}, remembered under KEY_PREFIX`, observed: `none processed twice, but ${outside.count} key${outside.count === 1 ? '' : 's'} outside KEY_PREFIX named ${p.subject}s of this run (the lab deleted them)`, examples: outside.keys.map((key) => `key "${key}"`), cause: 'marks-outside-prefix' };
      }
      if (marks && marks.marked.length === 0 && effects.size > 0) {
        return { title, status: 'fail', expected: `${expected}, remembered under KEY_PREFIX`, observed: `none processed twice, but no key under KEY_PREFIX named any of the ${effects.size} ${p.subject}s processed`, examples: [], cause: 'marks-outside-prefix' };
      }
      return { title, status: 'pass', expected, observed: `${effects.size} ${p.subject}s processed, none twice`, examples: [] };
    }

    const allKills = kills(history);
    const stories = twice.map(([key, list]) => {
      const [first, second] = list as [Operation, Operation, ...Operation[]];
      const kill = allKills.find((k) => k.t > first.t && k.t < second.t);
      const via = copied.has(key) ? 'sent on RabbitMQ and again on Kafka' : 'sent once';
      const between = kill ? `; your program was killed at ${seconds(kill.t)}, in between` : ', with no restart in between';
      return { kill: kill !== undefined, text: `${key} (${via}): processed ${list.length} times, at ${seconds(first.t)} and at ${seconds(second.t)}${between}` };
    });
    const observed = `${countOf(twice.length, keys.size, p.subject)} processed more than once`;
    const withoutKill = stories.filter((s) => !s.kill);
    if (withoutKill.length > 0) {
      return { title, status: 'fail', expected, observed: `${observed}, ${withoutKill.length} of them with no restart in between`, examples: firstFew(withoutKill).map((s) => s.text), cause: 'not-deduplicated' };
    }
    return { title, status: 'fail', expected, observed: `${observed}, each first before and again after your program was restarted`, examples: firstFew(stories).map((s) => s.text), cause: 'forgotten-at-restart' };
  },
};
