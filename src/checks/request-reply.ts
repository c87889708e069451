/**
 * answers-match and deadline-kept: request-reply over a broker, judged per question.
 *
 * The lab asks the learner's program questions ("what does sku X cost?"); the program asks
 * the lab's price service over RabbitMQ (a request with `replyTo` and a `correlationId`),
 * waits at most the deadline for the reply and reports an answer to the lab's answers API:
 * the price, or `timedOut`. The lab's service answers each request after a delay it chose:
 * some replies come late (after the deadline), some twice.
 *
 * Definitions:
 * - question: an operation matching `questions` with outcome "ok"; key = its id, value =
 *   { sku, price, sentAt } (the price the service will quote for it: every question's
 *   differs; sentAt = the lab's clock just before it published the question).
 * - request: an operation matching `requests`: the service received a request (key = the
 *   question whose sku it asked about, absent when the sku was unknown), value = { sku,
 *   replyTo, correlationId } (null when missing). Outcome "fail": the service could not
 *   read it (not JSON, an unknown sku, no replyTo) and sent no reply.
 * - reply: an operation matching `replies` (key = the question), recorded just before the
 *   service published it: nothing can have received it earlier.
 * - asked at / replied at: the question's first request / first reply.
 * - late: replied at - asked at >= deadlineMs. The program starts its clock before its
 *   request reaches the service, so such a reply came after the program's deadline for
 *   certain.
 * - on time: replied at less than deadlineMs - toleranceMs after asked at, and after sent at
 *   (well before any deadline the program can have had). Otherwise borderline: either
 *   answer is accepted.
 * - early timeout: a `timedOut` answer less than deadlineMs - toleranceMs after asked at, and
 *   less than deadlineMs after sent at (no copy can have started waiting before the lab
 *   began publishing the question, so a correct program is never called early, however late
 *   the lab itself noticed its request on a busy machine).
 * - answer: an operation matching `answers` with outcome "ok" and the question's key;
 *   `value.fields` = what the program reported ({ price } or { timedOut: true }); answered
 *   at = `value.arrivedAt` (when the answers API received it).
 *
 * answers-match: every question gets exactly one answer, and a price answer is its own price,
 * from its own reply. Per question:
 * - unanswered: no answer at all;
 * - answered-twice: more than one answer (a timeout followed by the late price is
 *   deadline-kept's business, not this check's);
 * - mismatched: a price that is another question's, or its own before its own reply was sent;
 * - wrong-price: a price that is not a number or no question's price;
 * - missed-reply: `timedOut`, not early, although its reply was sent on time;
 * - never-asked: `timedOut`, and the service never got a request for it that it could read.
 * The cause named, from the evidence: no-correlation-id when requests carried no
 * correlationId (or one reused on the same reply queue) and answers went to the wrong
 * question or were missed; shared-reply-queue when a reply queue had more than one consumer
 * (the copies take each other's replies) and answers went wrong; unreadable-answer when the
 * answers API refused calls (no questionId, an unknown one) and questions went unanswered;
 * unreadable-request when the service could not read requests and questions went without
 * their price; otherwise the
 * most serious problem shown: mismatched, missed-reply, never-asked, wrong-price,
 * answered-twice, unanswered.
 *
 * deadline-kept: a late reply is discarded (the question is answered timedOut), and no
 * question is given up before the deadline, nor long after it. Causes:
 * - late-accepted: a question whose reply came late was answered with that reply's price
 *   (its own price, at or after the reply was sent: the program took the late reply);
 * - gave-up-early: an early timeout;
 * - gave-up-late: a late timeout: a `timedOut` answer more than deadlineMs + toleranceMs
 *   after asked at (the program sent its request before the service got it, so its own
 *   clock said even more).
 * Unknown when no late question was answered and no question was answered timedOut.
 */
import type { History, Operation } from '../runner/history.js';
import { observationsOf } from '../runner/observations.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, select, selector, seconds, str } from './types.js';
import { consumeValue, fieldsOf, produceValue } from '../runner/messages.js';
import { callValue } from '../runner/calls.js';

export interface RequestReplyParams {
  /** What one question is to the learner: "question". */
  subject: string;
  questions: Selector;
  requests: Selector;
  replies: Selector;
  answers: Selector;
  deadlineMs: number;
  /** How much earlier than the deadline a timeout may come, and how close to the deadline a
   *  reply may be and still be called on time: the delays between the program, RabbitMQ and
   *  the lab on a busy machine. */
  toleranceMs: number;
}

export const ANSWERS_MATCH_CAUSES = {
  mismatched:
    'Answers went to the wrong questions: replies come back in any order, so the order you sent requests in says nothing. Give every request its own correlationId, keep a map from correlationId to the waiting question, and match each reply by its properties.correlationId.',
  'shared-reply-queue':
    'Your copies shared one reply queue, so RabbitMQ handed each copy some of the other\'s replies. Give each copy a reply queue of its own: a server-named exclusive queue (assertQueue(\'\', { exclusive: true })) or direct reply-to (consume amq.rabbitmq.reply-to with noAck: true).',
  'no-correlation-id':
    'Your requests carried no correlationId, or the same one for several requests, so a reply cannot say which request it answers. Make a new, unique correlationId for every request, at the moment you send it (crypto.randomUUID(); str(uuid.uuid4()) in Python), not one per program or per copy, and match replies by it.',
  'missed-reply':
    'Questions were answered timedOut although their reply came well before the deadline: your program did not pick up its replies. Consume the reply queue you name in replyTo before sending requests, and look the reply up by properties.correlationId (exactly the string you sent).',
  'wrong-price':
    'Some answers did not carry a price the service quoted: report the reply\'s "price" unchanged, as a JSON number ({"questionId": "...", "price": 12.5}).',
  'answered-twice':
    'Some questions were answered more than once: the service may deliver a reply twice. Once a question is answered, forget its correlationId (delete it from your map), so a second copy of the reply finds nothing and is dropped.',
  unanswered:
    'Some questions never got an answer. For every question, report either the price or {"timedOut": true} once the deadline has passed, then ack the question.',
  'never-asked':
    'The price service never got a request for some questions, which were then answered timedOut. Send each request to the default exchange with PRICE_REQUESTS as the routing key (channel.sendToQueue(config.priceRequests, ...); pika: basic_publish(exchange="", routing_key=PRICE_REQUESTS, ...)).',
  'unreadable-answer':
    'The answers API refused some of your answers: POST JSON {"questionId": "...", "price": 12.5} or {"questionId": "...", "timedOut": true} to ANSWERS_API_URL/answers, with the questionId exactly as the question gave it.',
  'unreadable-request':
    'The price service could not read some requests, so it never replied: send JSON {"sku": "..."} (JSON.stringify; json.dumps in Python) to PRICE_REQUESTS, with replyTo set to your reply queue.',
} as const;

export const DEADLINE_CAUSES = {
  'late-accepted':
    'A reply that comes after the deadline is too late: the caller has already been told "timed out". Answer {"timedOut": true} at the deadline, forget the correlationId, and drop the reply if it still comes.',
  'gave-up-early':
    'Some questions were given up before the deadline: wait DEADLINE_MS milliseconds (from the environment) after sending the request before answering {"timedOut": true}.',
  'gave-up-late':
    'Some questions were answered timedOut well after the deadline: the caller waited longer than it was promised. Answer {"timedOut": true} when DEADLINE_MS milliseconds have passed since you sent the request, with a timer of exactly config.deadlineMs (no margin of your own).',
} as const;

/** Timers may fire a hair early in some runtimes (a coarse monotonic clock). */
const CLOCK_SLACK_MS = 20;

/** What can be wrong with one question's answers (the causes add the evidence's own). */
type MatchProblem = 'mismatched' | 'missed-reply' | 'never-asked' | 'wrong-price' | 'answered-twice' | 'unanswered';

const SERIOUSNESS: MatchProblem[] = ['mismatched', 'missed-reply', 'never-asked', 'wrong-price', 'answered-twice', 'unanswered'];

interface Answer {
  at: number;
  price: unknown;
  timedOut: boolean;
}

interface Question {
  id: string;
  sku: string;
  price: number;
  sentAt?: number;
  askedAt?: number;
  repliedAt?: number;
  answers: Answer[];
}

/** A price as the program reported it, for messages. */
function shown(price: unknown): string {
  return typeof price === 'number' ? String(price) : JSON.stringify(price ?? null);
}

function samePrice(a: unknown, b: number): boolean {
  return typeof a === 'number' && Math.abs(a - b) < 0.005;
}

/** Every question with its requests, replies and answers, in the order the lab sent them. */
function questionsOf(history: History, p: RequestReplyParams): Question[] {
  const byId = new Map<string, Question>();
  for (const op of select(history, p.questions, 'ok')) {
    if (!op.key || byId.has(op.key)) continue;
    const value = produceValue(op);
    byId.set(op.key, { id: op.key, sku: String(value.sku ?? ''), price: Number(value.price), ...(typeof value.sentAt === 'number' ? { sentAt: value.sentAt } : {}), answers: [] });
  }
  for (const op of select(history, p.requests, 'ok')) {
    const q = op.key ? byId.get(op.key) : undefined;
    if (q && q.askedAt === undefined) q.askedAt = op.t;
  }
  for (const op of select(history, p.replies, 'ok')) {
    const q = op.key ? byId.get(op.key) : undefined;
    if (q && q.repliedAt === undefined) q.repliedAt = op.t;
  }
  for (const op of select(history, p.answers, 'ok')) {
    const q = op.key ? byId.get(op.key) : undefined;
    if (!q) continue;
    const value = callValue(op);
    q.answers.push({ at: value.arrivedAt ?? op.t, price: value.fields?.price ?? null, timedOut: value.fields?.timedOut === true });
  }
  for (const q of byId.values()) q.answers.sort((a, b) => a.at - b.at);
  // Ids carry their number ("question-0007-..."): examples read in the order they were asked.
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

type Timing = 'on-time' | 'borderline' | 'late' | 'unknown';

function timingOf(q: Question, p: RequestReplyParams): Timing {
  if (q.askedAt === undefined || q.repliedAt === undefined) return 'unknown';
  if (q.repliedAt - q.askedAt >= p.deadlineMs) return 'late';
  // Well before even the earliest deadline the program can have had (it cannot have taken
  // the question before the lab published it), however late the lab noticed the request.
  const start = q.sentAt ?? q.askedAt;
  return q.repliedAt - start < p.deadlineMs - p.toleranceMs && q.repliedAt - q.askedAt < p.deadlineMs - p.toleranceMs ? 'on-time' : 'borderline';
}

/** A timeout reported too soon: early after the request, and early even after the lab began
 *  publishing the question (no program can have started waiting before that). A question
 *  never asked: early after the lab began publishing it. */
function earlyTimeout(q: Question, a: Answer, p: RequestReplyParams): boolean {
  const afterSent = q.sentAt === undefined ? undefined : a.at - q.sentAt < p.deadlineMs - CLOCK_SLACK_MS;
  if (q.askedAt === undefined) return afterSent === true;
  return a.at - q.askedAt < p.deadlineMs - p.toleranceMs && afterSent !== false;
}

/** "12 of 24 requests had no correlationId", or undefined when every request had its own. */
function correlationEvidence(requests: readonly Operation[]): string | undefined {
  const values = requests.map(consumeValue);
  const missing = values.filter((v) => typeof v.correlationId !== 'string' || v.correlationId === '').length;
  if (missing > 0) return `${countOf(missing, values.length, 'request')} to the price service had no correlationId`;
  const seen = new Map<string, number>();
  for (const v of values) {
    const id = `${String(v.replyTo)}\u0000${String(v.correlationId)}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const reused = [...seen].filter(([, n]) => n > 1);
  if (reused.length === 0) return undefined;
  const [first, n] = reused[0] ?? ['', 0];
  return `the same correlationId ${JSON.stringify(first.split('\u0000')[1])} was used for ${n} requests on one reply queue`;
}

/** "the reply queue "replies" had 2 consumers", or undefined. */
function sharedQueueEvidence(history: History): string | undefined {
  const most = new Map<string, number>();
  for (const { value: v } of observationsOf(history, 'amqp-reply-queue')) {
    most.set(v.queue, Math.max(most.get(v.queue) ?? 0, v.consumers));
  }
  const shared = [...most].filter(([, n]) => n > 1);
  if (shared.length === 0) return undefined;
  return shared.map(([queue, n]) => `the reply queue ${JSON.stringify(queue)} had ${n} consumers`).join('; ');
}

function parse(raw: Record<string, unknown>): RequestReplyParams {
  return {
    subject: str(raw, 'subject'),
    questions: selector(raw, 'questions'),
    requests: selector(raw, 'requests'),
    replies: selector(raw, 'replies'),
    answers: selector(raw, 'answers'),
    deadlineMs: num(raw, 'deadlineMs'),
    toleranceMs: num(raw, 'toleranceMs', 300),
  };
}

export const answersMatch: CheckDefinition<RequestReplyParams> = {
  name: 'answers-match',
  causes: ANSWERS_MATCH_CAUSES,
  parseParams: parse,
  run(history, p) {
    const questions = questionsOf(history, p);
    const title = `Each ${p.subject} gets exactly one answer: its own price`;
    const expected = `each of the ${questions.length} ${p.subject}s is answered once, with the price from its own reply (or timedOut when the reply came after ${p.deadlineMs} ms)`;
    if (questions.length === 0) return { title, status: 'unknown', expected, observed: `the lab sent no ${p.subject}, so nothing could be checked`, examples: [] };

    const priceOwner = new Map<number, Question>(questions.map((q) => [Math.round(q.price * 100), q]));
    const problems: Array<{ problem: MatchProblem; question: string; text: string }> = [];
    for (const q of questions) {
      const add = (problem: MatchProblem, text: string) => problems.push({ problem, question: q.id, text });
      const label = `${q.id} (${q.sku}, price ${q.price})`;
      const timing = timingOf(q, p);
      if (q.answers.length === 0) {
        add('unanswered', `${label}: never answered${q.askedAt === undefined ? '; the price service never got a request for it' : q.repliedAt === undefined ? '' : `; its reply was sent at ${seconds(q.repliedAt)}`}`);
        continue;
      }
      for (const a of q.answers) {
        if (a.timedOut) {
          if (q.askedAt === undefined) {
            add('never-asked', `${label}: answered timedOut at ${seconds(a.at)}; the price service never got a readable request for it`);
            continue;
          }
          // Too early is deadline-kept's business (gave-up-early).
          if (timing === 'on-time' && !earlyTimeout(q, a, p)) {
            add('missed-reply', `${label}: answered timedOut at ${seconds(a.at)}, though its reply was sent at ${seconds(q.repliedAt ?? 0)}, ${(q.repliedAt ?? 0) - q.askedAt} ms after the request`);
          }
          continue;
        }
        if (samePrice(a.price, q.price)) {
          if (q.repliedAt === undefined || a.at < q.repliedAt) {
            add('mismatched', `${label}: answered ${shown(a.price)} at ${seconds(a.at)}, before its own reply was sent${q.repliedAt === undefined ? '' : ` (at ${seconds(q.repliedAt)})`}`);
          }
          continue;
        }
        const owner = typeof a.price === 'number' ? priceOwner.get(Math.round(a.price * 100)) : undefined;
        if (owner) {
          add('mismatched', `${label}: answered ${shown(a.price)} at ${seconds(a.at)}, the price of ${owner.id} (${owner.sku})${q.repliedAt === undefined ? '' : `; its own reply was sent at ${seconds(q.repliedAt)}`}`);
        } else {
          add('wrong-price', `${label}: answered ${shown(a.price)}${typeof a.price === 'number' ? ', the price of no question' : ', not a number'}`);
        }
      }
      if (q.answers.length > 1) {
        add('answered-twice', `${label}: answered ${q.answers.length} times: ${q.answers.map((a) => `${a.timedOut ? 'timedOut' : shown(a.price)} at ${seconds(a.at)}`).join(', ')}`);
      }
    }

    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${questions.length} answered once, each with its own price`, examples: [] };

    const byProblem = new Map<MatchProblem, Array<(typeof problems)[number]>>();
    for (const x of problems) byProblem.set(x.problem, [...(byProblem.get(x.problem) ?? []), x]);
    const ranked = SERIOUSNESS.filter((c) => byProblem.has(c)).map((c) => [c, byProblem.get(c) ?? []] as const);
    const wentWrong = byProblem.has('mismatched') || byProblem.has('missed-reply');
    const requests = select(history, p.requests);
    const unreadable = requests.filter((op) => op.outcome === 'fail');
    const refused = select(history, p.answers, 'fail');
    const noCorrelation = wentWrong ? correlationEvidence(requests.filter((op) => op.outcome === 'ok')) : undefined;
    const shared = wentWrong && !noCorrelation ? sharedQueueEvidence(history) : undefined;
    const withoutPrice = byProblem.has('never-asked') || byProblem.has('unanswered');
    const [worst] = ranked[0] ?? ['unanswered'];
    let cause: keyof typeof ANSWERS_MATCH_CAUSES = worst;
    const evidence: string[] = [];
    if (noCorrelation) {
      cause = 'no-correlation-id';
      evidence.push(noCorrelation);
    } else if (shared) {
      cause = 'shared-reply-queue';
      evidence.push(`${shared}: your copies took each other's replies`);
    } else if (refused.length > 0 && byProblem.has('unanswered') && !byProblem.has('mismatched')) {
      cause = 'unreadable-answer';
      const sample = callValue(refused[0]);
      const example = sample.status === undefined ? '' : `, e.g. status ${sample.status} ${sample.body === undefined ? `for ${refused[0]?.key ?? 'an unknown question'}` : `to the body ${JSON.stringify(sample.body)}`}`;
      evidence.push(`the answers API refused ${refused.length} call${refused.length === 1 ? '' : 's'}${example}`);
    } else if (unreadable.length > 0 && withoutPrice && !byProblem.has('mismatched')) {
      cause = 'unreadable-request';
      const sample = fieldsOf(unreadable[0]);
      evidence.push(`the price service could not read ${countOf(unreadable.length, requests.length, 'request')}${sample.problem ? `: ${sample.problem}` : ''}${sample.body === undefined ? '' : `, e.g. ${JSON.stringify(sample.body)}`}`);
    }

    const PHRASE: Record<MatchProblem, (one: boolean) => string> = {
      mismatched: () => `got another ${p.subject}'s price`,
      'missed-reply': (one) => `${one ? 'was' : 'were'} answered timedOut though ${one ? 'its' : 'their'} reply came in time`,
      'never-asked': (one) => `${one ? 'was' : 'were'} answered timedOut without a request the price service could read`,
      'wrong-price': () => `got a price no ${p.subject} has`,
      'answered-twice': (one) => `${one ? 'was' : 'were'} answered more than once`,
      unanswered: (one) => `${one ? 'was' : 'were'} never answered`,
    };
    const observed = ranked
      .map(([c, xs]) => {
        const n = new Set(xs.map((x) => x.question)).size;
        return `${countOf(n, questions.length, p.subject)} ${PHRASE[c](n === 1)}`;
      })
      .join('; ');
    return {
      title,
      status: 'fail',
      expected,
      observed: evidence.length > 0 ? `${observed} (${evidence.join('; ')})` : observed,
      examples: firstFew(ranked.flatMap(([, xs]) => xs.map((x) => x.text))),
      cause,
    };
  },
};

export const deadlineKept: CheckDefinition<RequestReplyParams> = {
  name: 'deadline-kept',
  causes: DEADLINE_CAUSES,
  parseParams: parse,
  run(history, p) {
    const questions = questionsOf(history, p);
    const title = `Late replies are discarded; each ${p.subject} is given up at the deadline, not before, not long after`;
    const expected = `a ${p.subject} whose reply came after ${p.deadlineMs} ms is answered timedOut (the late reply dropped), and every timeout is reported ${p.deadlineMs} ms after the request (not sooner, nor much later)`;
    const late = questions.filter((q) => timingOf(q, p) === 'late' && q.answers.length > 0);
    const timeouts = questions.flatMap((q) => q.answers.filter((a) => a.timedOut).map((a) => ({ q, a })));
    if (late.length === 0 && timeouts.length === 0) {
      return { title, status: 'unknown', expected, observed: `no ${p.subject} whose reply came late was answered, and none was answered timedOut: nothing to judge (see answers-match)`, examples: [] };
    }
    const accepted: string[] = [];
    for (const q of late) {
      // The late reply's own price, reported once it was sent: the program took the late reply.
      // (Another question's price, or one given before the reply existed, is a mismatch:
      // answers-match's business.)
      const price = q.answers.find((a) => !a.timedOut && samePrice(a.price, q.price) && q.repliedAt !== undefined && a.at >= q.repliedAt);
      if (!price || q.askedAt === undefined || q.repliedAt === undefined) continue;
      accepted.push(`${q.id} (${q.sku}): answered ${shown(price.price)} at ${seconds(price.at)}${q.answers[0]?.timedOut ? ', after answering timedOut' : ''}; its reply was sent ${q.repliedAt - q.askedAt} ms after the request, past the ${p.deadlineMs} ms deadline`);
    }
    const early: string[] = [];
    for (const { q, a } of timeouts) {
      if (!earlyTimeout(q, a, p)) continue;
      if (q.askedAt === undefined) {
        early.push(`${q.id} (${q.sku}): answered timedOut ${a.at - (q.sentAt ?? 0)} ms after the lab published it, without asking the price service`);
      } else {
        early.push(`${q.id} (${q.sku}): answered timedOut ${a.at - q.askedAt} ms after its request (the deadline is ${p.deadlineMs} ms)${q.repliedAt !== undefined && q.repliedAt < q.askedAt + p.deadlineMs ? `; its reply came ${q.repliedAt - q.askedAt} ms after the request` : ''}`);
      }
    }
    const tooLate: string[] = [];
    for (const { q, a } of timeouts) {
      if (q.askedAt === undefined || a.at - q.askedAt <= p.deadlineMs + p.toleranceMs) continue;
      tooLate.push(`${q.id} (${q.sku}): answered timedOut ${a.at - q.askedAt} ms after its request (the deadline is ${p.deadlineMs} ms)`);
    }
    const lateOnes = `${late.length} ${p.subject}${late.length === 1 ? '' : 's'} whose reply came late`;
    if (accepted.length === 0 && early.length === 0 && tooLate.length === 0) {
      return { title, status: 'pass', expected, observed: `none of the ${lateOnes} was answered with the late price; ${timeouts.length} timeout${timeouts.length === 1 ? '' : 's'} in all, none before the deadline`, examples: [] };
    }
    const cause: keyof typeof DEADLINE_CAUSES = accepted.length > 0 && accepted.length >= early.length ? 'late-accepted' : early.length > 0 ? 'gave-up-early' : 'gave-up-late';
    const parts = [
      ...(accepted.length > 0 ? [`${accepted.length} of the ${lateOnes} ${accepted.length === 1 ? 'was' : 'were'} answered with the late price`] : []),
      ...(early.length > 0 ? [`${countOf(early.length, timeouts.length, 'timeout')} came before the deadline`] : []),
      ...(tooLate.length > 0 ? [`${countOf(tooLate.length, timeouts.length, 'timeout')} came more than ${p.toleranceMs} ms after the deadline`] : []),
    ];
    const first = cause === 'late-accepted' ? accepted : cause === 'gave-up-early' ? early : tooLate;
    return {
      title,
      status: 'fail',
      expected,
      observed: parts.join('; '),
      examples: firstFew([...first, ...[accepted, early, tooLate].filter((x) => x !== first).flat()]),
      cause,
    };
  },
};
