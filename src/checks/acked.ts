/**
 * all-acked
 *
 * A consumer that acknowledges manually must acknowledge every message it is done with: one
 * left unacked goes back to the queue when the program stops, and the next one processes it
 * again. The lab counts the messages back in the queue once the program has stopped and
 * RabbitMQ has noticed (its consumers gone: unacked messages are requeued in the same step).
 *
 * Definitions:
 * - the sample: the observation `amqp-left-after-stop` whose `name` is `queue` (the
 *   variable the learner knows the queue by, e.g. "QUESTIONS_QUEUE"): { name, queue (its
 *   name in RabbitMQ), left (messages in it), sent (the lab's messages on it) }.
 * - worked: an operation matching `worked` (by default any successful call to a lab
 *   service): the program did some of its work.
 *
 * Pass: nothing left. Cause never-acked: messages left while the program worked (it took
 * them, did them and never acked). Unknown: no sample, or messages left by a program that did
 * nothing at all (other checks say why).
 */
import type { History } from '../runner/history.js';
import { observationsOf } from '../runner/observations.js';
import { type CheckDefinition, type Selector, countOf, select, selector, str } from './types.js';

export interface AckedParams {
  subject: string;
  queue: string;
  worked?: Selector;
}

export const ACKED_CAUSES = {
  'never-acked':
    'Messages your program took were never acknowledged: when it stopped, RabbitMQ put them back in the queue, and the next program to start would process them all again. Ack each message once its work is done: channel.ack(message); pika: ch.basic_ack(delivery_tag=method.delivery_tag), on the channel it came from.',
} as const;

export const allAcked: CheckDefinition<AckedParams> = {
  name: 'all-acked',
  causes: ACKED_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), queue: str(raw, 'queue'), ...(raw.worked === undefined ? {} : { worked: selector(raw, 'worked') }) }),
  run(history: History, p) {
    const title = `Every ${p.subject} is acknowledged once done`;
    const expected = `after your program stopped, no ${p.subject} is back in ${p.queue}: each was acked once its work was done`;
    const sample = observationsOf(history, 'amqp-left-after-stop').filter((op) => op.value.name === p.queue).at(-1)?.value;
    if (!sample) return { title, status: 'unknown', expected, observed: `the lab could not look at ${p.queue} after your program stopped`, examples: [] };
    if (sample.left === 0) return { title, status: 'pass', expected, observed: `all ${sample.sent} ${p.subject}s were acked`, examples: [] };
    const worked = p.worked ? select(history, p.worked).length > 0 : history.some((op) => op.kind === 'call' && op.outcome === 'ok');
    if (!worked) return { title, status: 'unknown', expected, observed: `${sample.left} of ${sample.sent} ${p.subject}s were still in "${sample.queue}", but your program did no work at all: see the other checks`, examples: [] };
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(sample.left, sample.sent, p.subject)} ${sample.left === 1 ? 'was' : 'were'} in "${sample.queue}" (${p.queue}) after your program stopped: never acked (never taken, or taken and given back unacked)`,
      examples: [],
      cause: 'never-acked',
    };
  },
};
