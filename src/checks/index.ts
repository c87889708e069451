/**
 * The registry of checks, by the names scenarios use. A check's module is loaded only when
 * a run evaluates it (or the catalog's checks are validated: catalog/checks.ts): every
 * command reads the catalog, few grade a run, and some checks bring a JSON Schema validator.
 * Adding a check: write a module with its definitions at the top, a pure run(history,
 * params), unit tests with literal histories in test/checks/, and a line here.
 */
import type { CheckDefinition } from './types.js';

// Each definition's params type differs; the registry only needs parse + run.
type Loader = () => Promise<CheckDefinition<any>>;

export const CHECKS: ReadonlyMap<string, Loader> = new Map<string, Loader>([
  ['compare-results', async () => (await import('./compare.js')).compareResults],
  ['compare-evidence', async () => (await import('./compare.js')).compareEvidence],
  ['compare-throughput', async () => (await import('./compare.js')).compareThroughput],
  ['compare-p99', async () => (await import('./compare.js')).compareP99],
  ['no-lost-messages', async () => (await import('./lost.js')).noLostMessages],
  ['no-duplicates', async () => (await import('./duplicates.js')).noDuplicates],
  ['duplicates-only-after-crash', async () => (await import('./duplicates.js')).duplicatesOnlyAfterCrash],
  ['in-order', async () => (await import('./order.js')).inOrder],
  ['latency', async () => (await import('./latency.js')).latency],
  ['dead-lettered-after-attempts', async () => (await import('./dead-letter.js')).deadLetteredAfterAttempts],
  ['subscribed', async () => (await import('./observations.js')).subscribed],
  ['resubscribed', async () => (await import('./observations.js')).resubscribed],
  ['durable-queues', async () => (await import('./observations.js')).durableQueues],
  ['manual-ack', async () => (await import('./observations.js')).manualAck],
  ['bounded-prefetch', async () => (await import('./observations.js')).boundedPrefetch],
  ['group-shares-partitions', async () => (await import('./observations.js')).groupSharesPartitions],
  ['offsets-committed-after-processing', async () => (await import('./offsets.js')).offsetsCommittedAfterProcessing],
  ['output-contract', async () => (await import('./contract.js')).outputContract],
  ['routes-as-specified', async () => (await import('./routing.js')).routesAsSpecified],
  ['exchanges-declared', async () => (await import('./routing.js')).exchangesDeclared],
  ['fan-out', async () => (await import('./fan-out.js')).fanOut],
  ['filtered-as-specified', async () => (await import('./sns-fanout.js')).filteredAsSpecified],
  ['delivery-format', async () => (await import('./sns-fanout.js')).deliveryFormat],
  ['message-attributes', async () => (await import('./sns-fanout.js')).messageAttributes],
  ['done-once', async () => (await import('./done-once.js')).doneOnce],
  ['reliable-queue', async () => (await import('./reliable-queue.js')).reliableQueue],
  ['at-most-once', async () => (await import('./at-most-once.js')).atMostOnce],
  ['at-least-once', async () => (await import('./at-least-once.js')).atLeastOnce],
  ['events-follow-schema', async () => (await import('./events.js')).eventsFollowSchema],
  ['event-names', async () => (await import('./events.js')).eventNames],
  ['correlation-and-causation', async () => (await import('./events.js')).correlationAndCausation],
  ['schema-evolution', async () => (await import('./events.js')).schemaEvolution],
  ['unique-event-ids', async () => (await import('./events.js')).uniqueEventIds],
  ['correlation-propagated', async () => (await import('./correlation.js')).correlationPropagated],
  ['order-outcomes', async () => (await import('./outcomes.js')).orderOutcomes],
  ['charged-once', async () => (await import('./charges.js')).chargedOnce],
  ['answers-match', async () => (await import('./request-reply.js')).answersMatch],
  ['deadline-kept', async () => (await import('./request-reply.js')).deadlineKept],
  ['all-acked', async () => (await import('./acked.js')).allAcked],
  ['applied-once', async () => (await import('./applied-once.js')).appliedOnce],
  ['processed-once-across-brokers', async () => (await import('./processed-once.js')).processedOnceAcrossBrokers],
  ['ledger-entries', async () => (await import('./ledger-entries.js')).ledgerEntries],
  ['within-rate-limit', async () => (await import('./rate-limit.js')).withinRateLimit],
  ['uses-the-rate', async () => (await import('./rate-limit.js')).usesTheRate],
  ['backoff', async () => (await import('./breaker.js')).backoff],
  ['one-worker-per-job', async () => (await import('./visibility.js')).oneWorkerPerJob],
  ['circuit-breaker', async () => (await import('./breaker.js')).circuitBreaker],
  ['entity-order', async () => (await import('./entity-order.js')).entityOrder],
  ['repeats-only-at-rebalance', async () => (await import('./entity-order.js')).repeatsOnlyAtRebalance],
  ['outbox-events-published', async () => (await import('./outbox.js')).outboxEventsPublished],
  ['no-phantom-events', async () => (await import('./outbox.js')).noPhantomEvents],
  ['event-ids-stable', async () => (await import('./outbox.js')).eventIdsStable],
  ['order-event-content', async () => (await import('./outbox.js')).orderEventContent],
  ['bounded-in-flight', async () => (await import('./backpressure.js')).boundedInFlight],
  ['catch-up', async () => (await import('./backpressure.js')).catchUp],
  ['topics-as-specified', async () => (await import('./topics.js')).topicsAsSpecified],
  ['topic-data-kept', async () => (await import('./topics.js')).topicDataKept],
  ['keys-partitioned', async () => (await import('./topics.js')).keysPartitioned],
  ['group-pending-empty', async () => (await import('./stream-group.js')).groupPendingEmpty],
  ['claimed-only-when-idle', async () => (await import('./stream-group.js')).claimedOnlyWhenIdle],
  ['sustains-rate', async () => (await import('./load.js')).sustainsRate],
  ['saga-compensated', async () => (await import('./saga.js')).sagaCompensated],
  ['latency-under-load', async () => (await import('./load.js')).latencyUnderLoad],
  ['priority-order', async () => (await import('./ttl-priority.js')).priorityOrder],
  ['expired-to-dead-letter', async () => (await import('./ttl-priority.js')).expiredToDeadLetter],
  ['message-ttl', async () => (await import('./ttl-priority.js')).messageTtl],
  ['acknowledged-events-written', async () => (await import('./keyed-producer.js')).acknowledgedEventsWritten],
  ['one-partition-per-key', async () => (await import('./keyed-producer.js')).onePartitionPerKey],
  ['per-key-order', async () => (await import('./keyed-producer.js')).perKeyOrder],
  ['value-is-the-event', async () => (await import('./keyed-producer.js')).valueIsTheEvent],
  ['topic-replicated', async () => (await import('./replication.js')).topicReplicated],
  ['acknowledged-events-kept', async () => (await import('./replication.js')).acknowledgedEventsKept],
  ['events-accepted-through-failover', async () => (await import('./replication.js')).eventsAcceptedThroughFailover],
  ['quorum-queue', async () => (await import('./quorum-ha.js')).quorumQueue],
  ['acknowledged-orders-fulfilled', async () => (await import('./quorum-ha.js')).acknowledgedOrdersFulfilled],
  ['orders-accepted-through-failover', async () => (await import('./quorum-ha.js')).ordersAcceptedThroughFailover],
  ['consumer-acks', async () => (await import('./quorum-ha.js')).consumerAcks],
  ['metrics-exposed', async () => (await import('./metrics.js')).metricsExposed],
  ['metrics-agree', async () => (await import('./metrics.js')).metricsAgree],
  ['windowed-aggregates', async () => (await import('./windows.js')).windowedAggregates],
  ['state-rebuilt', async () => (await import('./user-state.js')).stateRebuilt],
  ['cdc-changes-published', async () => (await import('./cdc.js')).cdcChangesPublished],
  ['cdc-copies-only-at-kill', async () => (await import('./cdc.js')).cdcCopiesOnlyAtKill],
  ['cdc-key-order', async () => (await import('./cdc.js')).cdcKeyOrder],
  ['cdc-position-saved', async () => (await import('./cdc.js')).cdcPositionSaved],
  ['cdc-value-format', async () => (await import('./cdc.js')).cdcValueFormat],
]);

export async function loadCheck(name: string): Promise<CheckDefinition<any>> {
  const load = CHECKS.get(name);
  if (!load) throw new Error(`check "${name}" is not registered`);
  const definition = await load();
  if (definition.name !== name) throw new Error(`check "${name}" loads a definition named "${definition.name}"`);
  return definition;
}
