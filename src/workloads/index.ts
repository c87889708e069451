/** The registry of workloads, by the names scenarios use. */
import { kafkaConsumerGroup } from './kafka-consumer-group.js';
import { rabbitmqRetryWorker } from './rabbitmq-retry-worker.js';
import { redisPubSubNotifier } from './redis-pubsub-notifier.js';
import type { Workload } from './types.js';

export const WORKLOADS: ReadonlyMap<string, Workload<any>> = new Map(
  [redisPubSubNotifier, rabbitmqRetryWorker, kafkaConsumerGroup].map((w) => [w.name, w as Workload<any>]),
);
