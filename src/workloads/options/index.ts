/**
 * The defaults of each workload's options, by workload name, as data: the catalog resolves a
 * scenario's "$workload.x" from the scenario's own options, else from here, without loading
 * the workload (workloads/index.ts loads that only when it runs). Adding a workload: its
 * defaults in a module of this folder, and a line here.
 */
import { defaults as redisPubsubNotifier } from './redis-pubsub-notifier.js';
import { defaults as rabbitmqRetryWorker } from './rabbitmq-retry-worker.js';
import { defaults as rabbitmqExchanges } from './rabbitmq-exchanges.js';
import { defaults as rabbitmqDeliveryGuarantees } from './rabbitmq-delivery-guarantees.js';
import { defaults as rabbitmqQuorumHa } from './rabbitmq-quorum-ha.js';
import { defaults as rabbitmqRequestReply } from './rabbitmq-request-reply.js';
import { defaults as kafkaConsumerGroup } from './kafka-consumer-group.js';
import { defaults as redisWorkQueue } from './redis-work-queue.js';
import { defaults as eventDesign } from './event-design.js';
import { defaults as eventChain } from './event-chain.js';
import { defaults as idempotentConsumer } from './idempotent-consumer.js';
import { defaults as redisRateLimiter } from './redis-rate-limiter.js';
import { defaults as retryCircuitBreaker } from './retry-circuit-breaker.js';
import { defaults as orderingAtScale } from './ordering-at-scale.js';
import { defaults as kafkaTopicsPartitions } from './kafka-topics-partitions.js';
import { defaults as transactionalOutbox } from './transactional-outbox.js';
import { defaults as backpressureDefaults } from './backpressure.js';
import { defaults as loadTest } from './load-test.js';
import { defaults as compareBrokers } from './compare-brokers.js';
import { defaults as rabbitmqTopicRouting } from './rabbitmq-topic-routing.js';
import { defaults as redisStreamsConsumerGroup } from './redis-streams-consumer-group.js';
import { defaults as sqsVisibilityDlq } from './sqs-visibility-dlq.js';
import { defaults as rabbitmqOrderCompensations } from './rabbitmq-order-compensations.js';
import { defaults as rabbitmqTtlDlxPriorities } from './rabbitmq-ttl-dlx-priorities.js';
import { defaults as snsFanoutFilters } from './sns-fanout-filters.js';
import { defaults as kafkaKeyedProducer } from './kafka-keyed-producer.js';
import { defaults as kafkaReplication } from './kafka-replication.js';
import { defaults as rabbitmqMonitoring } from './rabbitmq-monitoring.js';
import { defaults as kafkaStreamAggregation } from './kafka-stream-aggregation.js';
import { defaults as kafkaEventSourcing } from './kafka-event-sourcing.js';
import { defaults as kafkaCdcRelay } from './kafka-cdc-relay.js';
import { defaults as migrateRabbitmqToKafka } from './migrate-rabbitmq-to-kafka.js';

export const WORKLOAD_DEFAULTS: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map<string, Readonly<Record<string, unknown>>>([
  ['redis-pubsub-notifier', redisPubsubNotifier],
  ['rabbitmq-retry-worker', rabbitmqRetryWorker],
  ['rabbitmq-exchanges', rabbitmqExchanges],
  ['rabbitmq-delivery-guarantees', rabbitmqDeliveryGuarantees],
  ['rabbitmq-quorum-ha', rabbitmqQuorumHa],
  ['rabbitmq-request-reply', rabbitmqRequestReply],
  ['kafka-consumer-group', kafkaConsumerGroup],
  ['redis-work-queue', redisWorkQueue],
  ['event-design', eventDesign],
  ['event-chain', eventChain],
  ['idempotent-consumer', idempotentConsumer],
  ['redis-rate-limiter', redisRateLimiter],
  ['retry-circuit-breaker', retryCircuitBreaker],
  ['ordering-at-scale', orderingAtScale],
  ['kafka-topics-partitions', kafkaTopicsPartitions],
  ['transactional-outbox', transactionalOutbox],
  ['backpressure', backpressureDefaults],
  ['load-test', loadTest],
  ['compare-brokers', compareBrokers],
  ['rabbitmq-topic-routing', rabbitmqTopicRouting],
  ['redis-streams-consumer-group', redisStreamsConsumerGroup],
  ['sqs-visibility-dlq', sqsVisibilityDlq],
  ['rabbitmq-order-compensations', rabbitmqOrderCompensations],
  ['rabbitmq-ttl-dlx-priorities', rabbitmqTtlDlxPriorities],
  ['sns-fanout-filters', snsFanoutFilters],
  ['kafka-keyed-producer', kafkaKeyedProducer],
  ['kafka-replication', kafkaReplication],
  ['rabbitmq-monitoring', rabbitmqMonitoring],
  ['kafka-stream-aggregation', kafkaStreamAggregation],
  ['kafka-event-sourcing', kafkaEventSourcing],
  ['kafka-cdc-relay', kafkaCdcRelay],
  ['migrate-rabbitmq-to-kafka', migrateRabbitmqToKafka],
]);
