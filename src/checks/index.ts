/**
 * The registry of checks, by the names scenarios use. Adding a check: write a module with
 * its definitions at the top, a pure run(history, params), unit tests with literal
 * histories in test/checks/, and register it here.
 */
import { atLeastOnce } from './at-least-once.js';
import { atMostOnce } from './at-most-once.js';
import { outputContract } from './contract.js';
import { chargedOnce } from './charges.js';
import { correlationPropagated } from './correlation.js';
import { orderOutcomes } from './outcomes.js';
import { deadLetteredAfterAttempts } from './dead-letter.js';
import { duplicatesOnlyAfterCrash, noDuplicates } from './duplicates.js';
import { correlationAndCausation, eventNames, eventsFollowSchema, schemaEvolution, uniqueEventIds } from './events.js';
import { answersMatch, deadlineKept } from './request-reply.js';
import { allAcked } from './acked.js';
import { appliedOnce } from './applied-once.js';
import { ledgerEntries } from './ledger-entries.js';
import { usesTheRate, withinRateLimit } from './rate-limit.js';
import { latency } from './latency.js';
import { backoff, circuitBreaker } from './breaker.js';
import { boundedInFlight, catchUp } from './backpressure.js';
import { noLostMessages } from './lost.js';
import { boundedPrefetch, durableQueues, groupSharesPartitions, manualAck, resubscribed, subscribed } from './observations.js';
import { offsetsCommittedAfterProcessing } from './offsets.js';
import { inOrder } from './order.js';
import { entityOrder, repeatsOnlyAtRebalance } from './entity-order.js';
import { exchangesDeclared, routesAsSpecified } from './routing.js';
import { doneOnce } from './done-once.js';
import { fanOut } from './fan-out.js';
import { reliableQueue } from './reliable-queue.js';
import { eventIdsStable, noPhantomEvents, orderEventContent, outboxEventsPublished } from './outbox.js';
import type { CheckDefinition } from './types.js';

// Each definition's params type differs; the registry only needs parse + run.
export const CHECKS: ReadonlyMap<string, CheckDefinition<any>> = new Map(
  [
    noLostMessages,
    outboxEventsPublished,
    noPhantomEvents,
    eventIdsStable,
    orderEventContent,
    noDuplicates,
    duplicatesOnlyAfterCrash,
    inOrder,
    latency,
    deadLetteredAfterAttempts,
    subscribed,
    resubscribed,
    durableQueues,
    manualAck,
    boundedPrefetch,
    groupSharesPartitions,
    offsetsCommittedAfterProcessing,
    outputContract,
    routesAsSpecified,
    exchangesDeclared,
    fanOut, doneOnce, reliableQueue,
    atMostOnce,
    atLeastOnce,
    eventsFollowSchema, eventNames, correlationAndCausation, schemaEvolution, uniqueEventIds,
    correlationPropagated,
    orderOutcomes,
    chargedOnce,
    answersMatch, deadlineKept, allAcked,
    appliedOnce, ledgerEntries,
    withinRateLimit, usesTheRate,
    backoff, circuitBreaker,
    entityOrder, repeatsOnlyAtRebalance,
    boundedInFlight, catchUp,
  ].map((c) => [c.name, c as CheckDefinition<any>]),
);
