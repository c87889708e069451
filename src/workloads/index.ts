/**
 * The registry of workloads, by the names scenarios use. A workload's module is loaded only
 * when a run needs it: every command reads the catalog, few run an exercise. Adding one: a
 * module in this folder exporting a Workload, and a line here.
 */
import type { Workload } from './types.js';

type Loader = () => Promise<Workload<any>>;

export const WORKLOADS: ReadonlyMap<string, Loader> = new Map<string, Loader>([
  ['redis-pubsub-notifier', async () => (await import('./redis-pubsub-notifier.js')).redisPubSubNotifier],
  ['rabbitmq-retry-worker', async () => (await import('./rabbitmq-retry-worker.js')).rabbitmqRetryWorker],
  ['rabbitmq-exchanges', async () => (await import('./rabbitmq-exchanges.js')).rabbitmqExchanges],
  ['rabbitmq-delivery-guarantees', async () => (await import('./rabbitmq-delivery-guarantees.js')).rabbitmqDeliveryGuarantees],
  ['rabbitmq-quorum-ha', async () => (await import('./rabbitmq-quorum-ha.js')).rabbitmqQuorumHa],
  ['rabbitmq-request-reply', async () => (await import('./rabbitmq-request-reply.js')).rabbitmqRequestReply],
  ['kafka-consumer-group', async () => (await import('./kafka-consumer-group.js')).kafkaConsumerGroup],
  ['redis-work-queue', async () => (await import('./redis-work-queue.js')).redisWorkQueue],
  ['redis-streams-consumer-group', async () => (await import('./redis-streams-consumer-group.js')).redisStreamsConsumerGroup],
  ['event-design', async () => (await import('./event-design.js')).eventDesign],
  ['event-chain', async () => (await import('./event-chain.js')).eventChain],
  ['idempotent-consumer', async () => (await import('./idempotent-consumer.js')).idempotentConsumer],
  ['redis-rate-limiter', async () => (await import('./redis-rate-limiter.js')).redisRateLimiter],
  ['retry-circuit-breaker', async () => (await import('./retry-circuit-breaker.js')).retryCircuitBreaker],
  ['ordering-at-scale', async () => (await import('./ordering-at-scale.js')).orderingAtScale],
  ['kafka-topics-partitions', async () => (await import('./kafka-topics-partitions.js')).kafkaTopicsPartitions],
  ['transactional-outbox', async () => (await import('./transactional-outbox.js')).transactionalOutbox],
  ['backpressure', async () => (await import('./backpressure.js')).backpressure],
  ['compare-brokers', async () => (await import('./compare-brokers.js')).compareBrokers],
  ['load-test', async () => (await import('./load-test.js')).loadTest],
  ['rabbitmq-topic-routing', async () => (await import('./rabbitmq-topic-routing.js')).rabbitmqTopicRouting],
  ['sqs-visibility-dlq', async () => (await import('./sqs-visibility-dlq.js')).sqsVisibilityDlq],
  ['rabbitmq-order-compensations', async () => (await import('./rabbitmq-order-compensations.js')).rabbitmqOrderCompensations],
  ['rabbitmq-ttl-dlx-priorities', async () => (await import('./rabbitmq-ttl-dlx-priorities.js')).rabbitmqTtlDlxPriorities],
  ['sns-fanout-filters', async () => (await import('./sns-fanout-filters.js')).snsFanoutFilters],
  ['kafka-keyed-producer', async () => (await import('./kafka-keyed-producer.js')).kafkaKeyedProducer],
  ['kafka-replication', async () => (await import('./kafka-replication.js')).kafkaReplication],
  ['rabbitmq-monitoring', async () => (await import('./rabbitmq-monitoring.js')).rabbitmqMonitoring],
  ['kafka-stream-aggregation', async () => (await import('./kafka-stream-aggregation.js')).kafkaStreamAggregation],
  ['kafka-event-sourcing', async () => (await import('./kafka-event-sourcing.js')).kafkaEventSourcing],
  ['kafka-cdc-relay', async () => (await import('./kafka-cdc-relay.js')).kafkaCdcRelay],
  ['migrate-rabbitmq-to-kafka', async () => (await import('./migrate-rabbitmq-to-kafka.js')).migrateRabbitmqToKafka],
]);

export async function loadWorkload(name: string): Promise<Workload<any>> {
  const load = WORKLOADS.get(name);
  if (!load) throw new Error(`workload "${name}" is not registered`);
  return load();
}
