/**
 * What the lab samples from the brokers while a run goes on (`observe` operations), typed by
 * the observation's key, so the workload that records one and the check that reads it agree
 * on its shape. Adding an observation: add its key and value type to Observations.
 */
import type { History, HistoryRecorder, Operation } from './history.js';

/** One passive queue.declare of a RabbitMQ queue (see checks/observations.ts). */
export interface QueueSample {
  queue: string;
  /** Messages waiting in the queue. */
  ready: number;
  consumers: number;
  /** Messages the lab had published to it (read before the declare). */
  published: number;
  /** Of those, the ones the downstream confirmed (read after the declare). */
  done: number;
  /** Taken after the program was killed and before it was restarted. */
  afterKill: boolean;
}

/** One sample of a Kafka consumer group. */
export interface KafkaGroupSample {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; partitions: number[] }>;
  partitionCount: number;
  instances: number;
  otherGroups: string[];
}

/** A consumer group's committed offsets and the topic's end offsets, by partition. */
export interface CommittedOffsets {
  offsets: Record<string, number>;
  endOffsets: Record<string, number>;
}

/** PUBSUB NUMSUB of a channel, and pattern subscriptions made since the run started. */
export interface SubscriberCount {
  channel: string;
  count: number;
  /** PUBSUB NUMPAT minus what it was before the learner's program started: a PSUBSCRIBE
   *  that covers the channel counts as a subscription too. */
  patterns?: number;
}

/** A RabbitMQ queue's declaration as the management API shows it at the end of a run. */
export interface QueueConfig {
  /** What the queue is to the exercise ("tasks", "dead-letter"). */
  role: string;
  queue: string;
  exists: boolean;
  durable: boolean;
  /** classic, quorum or stream. */
  type: string;
  /** Its bindings (not the default exchange's): which exchange, with which key and arguments. */
  bindings?: Array<{ exchange: string; key: string; arguments: Record<string, unknown> }>;
  /** The queue's x-arguments as declared (x-max-priority, x-message-ttl, x-dead-letter-exchange...). */
  arguments?: Record<string, unknown>;
}

/** A RabbitMQ exchange's declaration as the management API shows it at the end of a run. */
export interface ExchangeConfig {
  exchange: string;
  exists: boolean;
  type: string;
  durable: boolean;
}

/**
 * What the learner's program keeps in its key store to recognise messages it already
 * processed (its "marks"), found by scanning the run's Redis keys outside the lab's own:
 * a key whose name holds a message id, or a set, hash, sorted set or list holding it.
 */
export interface ProcessedMarks {
  /** The message ids found marked, over every scan of the run. */
  marked: string[];
  /** When a scan first found each of them marked (it began then: the mark was there). */
  markedAt?: Record<string, number>;
  /** Keys outside the run's KEY_PREFIX whose names hold one of the run's message ids (the
   *  program wrote its marks elsewhere): how many, and the first few. */
  outside?: { count: number; keys: string[] };
  /** Once the program stopped: the shortest time to live of a message's mark (each message
   *  by its longest-lived key), in ms; undefined when no mark expires. */
  shortestTtlMs?: number;
  /** Which key had it. */
  shortestTtlKey?: string;
  /** Keys scanned in the last scan (the lab's own excluded). */
  keys: number;
  /** Keys outside the run's prefix named with its message ids (the first few), and how many. */
  outsidePrefix?: string[];
  outsideCount?: number;
}

/** The limit a rate-limited service enforces, and when the lab began to queue its backlog. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
  /** Calls more than `burst` the service's own bucket holds before it refuses (429). */
  toleranceCalls: number;
  /** When the lab began to queue its backlog, and when the backlog was all sent (or the lab
   *  stopped waiting): the pace is judged between the two. */
  backlogAt: number;
  backlogEndAt?: number;
  /** The most keys the program had under its KEY_PREFIX at once, by then. */
  keysUnderPrefix?: number;
}

/** What was in a queue once the program had stopped and RabbitMQ had let go of its consumers
 *  (unacked messages back in it), for all-acked (checks/acked.ts). */
export interface LeftAfterStopSample {
  /** The variable the learner knows the queue by ("QUESTIONS_QUEUE"). */
  name: string;
  /** Its name in RabbitMQ. */
  queue: string;
  /** Messages in it. */
  left: number;
  /** The lab's messages on it. */
  sent: number;
}

/** What was waiting in a queue the moment the lab killed a copy (checks/attempts.ts). */
export interface ReadyAtKillSample {
  /** The variable the learner knows the queue by ("AT_MOST_ONCE_QUEUE"). */
  name: string;
  /** The kill's time. */
  killAt: number;
  /** When the lab looked, moments later. */
  at: number;
  /** Messages in the queue then. */
  ready: number;
  /** The lab's publishes not confirmed by then: maybe in the queue, not yet recorded. */
  publishing: number;
}

/** A Redis work queue's lists in one MULTI (see checks/work-lists.ts for what they mean). */
export interface WorkListsSnapshot {
  /** When the lab sent the MULTI (ms since the run started). */
  takenAt: number;
  /** Job ids in the queue, in list order (LRANGE 0 -1). */
  queue: string[];
  /** Job ids in each copy's processing list, by copy number ("1", "2", "3"). */
  processing: Record<string, string[]>;
  /** Copies whose heartbeat key existed. */
  heartbeats: number[];
  /** Taken after the program was stopped. */
  final?: boolean;
  /** Other keys under the processing prefix than the copies' own lists (a program that
   *  named its lists differently), as the part after the prefix ("worker-1"). Looked for in
   *  the final snapshot and every few snapshots during the run (a SCAN, outside the MULTI). */
  otherLists?: string[];
}

/** A reply queue's consumers (a passive queue.declare by the lab). */
export interface ReplyQueueSample {
  queue: string;
  consumers: number;
}

/** The transactional outbox's tables as the lab read them once the program had stopped
 *  (checks/outbox.ts). */
export interface OutboxTables {
  /** The orders table: the orders committed. */
  orders: Array<{ orderId: string; customer: string; amountCents: number }>;
  /** The outbox table's rows: which order (aggregate_id) each event is for, its event_id,
   *  and whether the relay marked it sent. */
  outbox: Array<{ eventId: string; orderId: string; type: string; sent: boolean }>;
  /** Outbox rows the lab saw during the run that were gone at the end (deleted instead of
   *  marked: counted as sent). */
  vanished: Array<{ eventId: string; orderId: string }>;
}

/** The change-data relay's saved position (workloads/kafka-cdc-relay.ts, checks/cdc.ts), read
 *  by the lab at a moment of the run: right after it killed the relay ("kill"), or once the
 *  program had stopped ("end"). */
export interface CdcPosition {
  at: 'kill' | 'end';
  /** The saved position: the highest last_change_id in the relay_position table or on
   *  POSITION_TOPIC; null when the relay never saved one. */
  position: number | null;
  /** Where it was read: the table, the topic, or nowhere (null). */
  source: 'table' | 'topic' | null;
  /** The highest change id in CHANGES_TOPIC at that moment (0: none). */
  publishedMax: number;
  /** The highest change id the lab had made by then. */
  madeMax: number;
}

/** One sample of a copy of the learner's program and the queue it consumes
 *  (workloads/blocks/sample-learner.ts): how much memory it holds, how much work it has taken. */
export interface LearnerSample {
  instance: number;
  /** Resident memory of the copy's process group (the program and anything it started), in bytes. */
  rssBytes: number;
  /** The queue as the management API last saw it (its statistics lag up to a second): the
   *  messages delivered and not yet acknowledged, waiting, and acknowledged so far (taken with
   *  auto-ack counts as acknowledged). */
  queue?: { name: string; unacked: number; ready: number; acked: number };
}

/** A load test's plan (workloads/load-test.ts, checks/load.ts): the rate to sustain, the
 *  latency bound, and the phases of offered load in order, each with its rate. */
export interface LoadPlan {
  rate: number;
  boundMs: number;
  /** The history streams of the orders the lab sends (`produce`) and of the service's
   *  records of them (`call`): what the report charts. */
  sentStream: string;
  doneStream: string;
  phases: Array<{ name: string; rate: number; plannedMs: number }>;
}

/** A Redis Streams consumer group at the end of a run (XINFO GROUPS, XINFO CONSUMERS,
 *  XPENDING), taken after the learner's program stopped. */
export interface StreamGroupSnapshot {
  /** The group the README names (GROUP_NAME) and whether it exists. */
  group: string;
  exists: boolean;
  /** How many entries the group delivered (XINFO GROUPS entries-read). */
  entriesRead: number;
  /** Other groups on the stream (a program that made its own). */
  otherGroups: string[];
  /** The group's consumers and how many entries each has pending. */
  consumers: Array<{ name: string; pending: number }>;
  /** The consumer names the copies were given (CONSUMER_NAME), and those of copies the lab killed. */
  expectedConsumers: string[];
  deadConsumers: string[];
  /** The pending entries list: its size, and its first entries with the activity each holds. */
  pendingCount: number;
  pending: Array<{ id: string; key?: string; consumer: string; idleMs: number; deliveries: number }>;
}

/** A Kafka topic as the admin API shows it (metadata, describeConfigs, end offsets): at the
 *  end of a run, and at the moments whose data must survive (workloads/kafka-topics-partitions.ts). */
export interface KafkaTopicState {
  /** The topic's name without the run's namespace ("orders"). */
  topic: string;
  /** The admin call that fixes a difference names the full name. */
  fullName: string;
  /** "before-start": the lab's data in a topic that existed before the program first ran;
   *  "before-restart": after the lab wrote to every topic, before the program's second run;
   *  "final": after the program stopped. */
  moment: 'before-start' | 'before-restart' | 'final';
  exists: boolean;
  partitions: number;
  /** The replicas of its first partition (every partition of a created topic has as many). */
  replicationFactor: number;
  /** What REPLICATION_FACTOR told the program (1 on the lab's Kafka; a shared cluster's
   *  default.replication.factor), when it differs from the spec's. */
  askedReplicationFactor?: number;
  /** Each config the exercise asks for: its value, and whether it is the broker's default
   *  (not set on the topic). */
  configs: Record<string, { value: string | null; isDefault: boolean }>;
  /** Each partition's end offset (high watermark). */
  endOffsets: Record<string, number>;
}

/** The keyed records a topic held at the end, each with its partition: what checks the
 *  partitioner (records of the lab's own, under keys starting "lab-", left out). */
export interface KafkaKeyedRecords {
  topic: string;
  partitions: number;
  records: Array<{ key: string | null; partition: number; offset: string }>;
  /** The keys the program was asked to send (each on every run), when the exercise says. */
  expectedKeys?: string[];
}

/** The subscriptions the lab found on an SNS topic after the run (checks/sns-fanout.ts). */
export interface SnsSubscriptions {
  topicExists: boolean;
  subscriptions: Array<{
    /** The subscribed queue's role ("billing"), or its name when it is none of the exercise's. */
    queue: string;
    filterPolicy?: string;
    filterPolicyScope?: string;
    raw: boolean;
  }>;
}

/** One series as Prometheus stored it: its metric name, its own labels (without the ones
 *  Prometheus and the run add), and its samples as [ms since the run started, value]. */
export interface ScrapedSeries {
  name: string;
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

/** What Prometheus scraped from the program's /metrics during the run
 *  (workloads/blocks/prometheus.ts), read back through its query API before the program stopped. */
export interface PrometheusMetrics {
  /** The addresses the run listed for Prometheus ("127.0.0.1:41234"). */
  targets: string[];
  /** Prometheus scraped every copy at least once (up == 1) before the lab sent any work. */
  scraped: boolean;
  /** Each metric family's type from the program's `# TYPE` lines ("counter", "gauge",
   *  "histogram", "unknown" without one), by the family's name. */
  types: Record<string, string>;
  /** Every sample of the exercise's metrics and of `up`. */
  series: ScrapedSeries[];
  /** The Content-Type header of the lab's own GET of /metrics (null: none); absent when the
   *  lab did not read it (the program was not scraped, or did not answer). */
  contentType?: string | null;
}

/** Week 7's "compare brokers" (workloads/compare-brokers.ts): the workload both sides measure. */
export interface ComparePlan {
  brokers: string[];
  messages: number;
  size: number;
  burst: number;
  intervalMs: number;
}

/** One broker's numbers, the lab's own or as the learner's results file gives them. */
export interface CompareNumbers {
  count: number;
  throughput: number;
  p50: number;
  p99: number;
}

/** The lab's own measurement of the plan, per broker, made before the program started. */
export interface CompareLab {
  numbers: Record<string, CompareNumbers>;
}

/** The learner's results file as the lab found it once the program wrote it. */
export interface CompareResults {
  /** False: no file by the end of the wait. */
  exists: boolean;
  /** Its text (cut at 4000 characters). */
  text: string;
  /** Milliseconds from the program's start to the file being readable. */
  writtenAfterMs: number | null;
}

/** What one broker kept of the learner's run, read once the program stopped. */
export interface CompareEvidence {
  broker: string;
  /** Messages that reached the broker under the run's names (stream length, the lab's tap
   *  queue, the topic's end offset). */
  published: number;
  /** Sizes (bytes) of published messages that differ from the plan's, first few. */
  wrongSizes: number[];
  /** Messages the consumer took: the group's entries-read (Redis), published minus what is
   *  still in the queue (RabbitMQ), the group's committed offset (Kafka); null: no consumer
   *  group at all. */
  consumed: number | null;
  /** Taken but never acknowledged (Redis: the group's pending entries). */
  pending: number;
  /** RabbitMQ: messages the queue delivered without an ack (auto-ack consumers, basic.get
   *  with no ack), from its management statistics once they account for every message that
   *  left the queue; null: the statistics never caught up within the lab's wait. Absent for
   *  the other brokers. */
  autoAcked?: number | null;
  /** Redis: the publishing window, the first and the last entry's id time (ms since 1970). */
  publishedWindowMs?: [number, number];
  /** Kafka: its records timestamped within another broker's publishing window, per broker
   *  ({ redis: 2000 }: every one published while the Redis stream was being filled). */
  publishedDuring?: Record<string, number>;
}

export interface Observations {
  'kafka-topic-state': KafkaTopicState;
  'kafka-keyed-records': KafkaKeyedRecords;
  'load-plan': LoadPlan;
  'learner-sample': LearnerSample;
  'outbox-tables': OutboxTables;
  'cdc-position': CdcPosition;
  'rate-limit': RateLimit;
  'processed-marks': ProcessedMarks;
  'amqp-exchange-config': ExchangeConfig;
  'amqp-left-after-stop': LeftAfterStopSample;
  'amqp-queue-config': QueueConfig;
  'amqp-queue': QueueSample;
  'amqp-ready-at-kill': ReadyAtKillSample;
  'amqp-reply-queue': ReplyQueueSample;
  'kafka-group': KafkaGroupSample;
  'kafka-committed-offsets': CommittedOffsets;
  'pubsub-subscribers': SubscriberCount;
  'work-lists': WorkListsSnapshot;
  'stream-group': StreamGroupSnapshot;
  'sns-subscriptions': SnsSubscriptions;
  'prometheus-metrics': PrometheusMetrics;
  'compare-plan': ComparePlan;
  'compare-lab': CompareLab;
  'compare-results': CompareResults;
  'compare-evidence': CompareEvidence;
}

export type ObservationKey = keyof Observations;

export function recordObservation<K extends ObservationKey>(history: HistoryRecorder, key: K, value: Observations[K]): void {
  history.record({ process: 'lab', kind: 'observe', outcome: 'ok', key, value });
}

export function observationsOf<K extends ObservationKey>(history: History, key: K): Array<Operation & { value: Observations[K] }> {
  return history.filter((op): op is Operation & { value: Observations[K] } => op.kind === 'observe' && op.key === key && op.value !== undefined);
}

/** The last observation of that key, if any. */
export function lastObservation<K extends ObservationKey>(history: History, key: K): Observations[K] | undefined {
  const all = observationsOf(history, key);
  return all[all.length - 1]?.value;
}
