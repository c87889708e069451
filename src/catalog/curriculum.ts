/**
 * The 14-week plan as data: four levels, their weeks, and per week the topics. A topic is
 * either a graded exercise of the catalog (by its stable id; its title comes from the
 * catalog) or a planned one (a title only, shown as "coming later").
 *
 * Source: docs/curriculum.md (what is graded now) and the full plan it follows. When an
 * exercise is added to the catalog, replace its `planned(...)` line by `exercise('<id>')`;
 * test/unit/curriculum.test.ts fails until every catalog id appears here exactly once, in
 * the level and week its scenario.json names.
 */

/** One line of the plan. */
export type CurriculumTopic =
  /** A graded exercise: `scenarios/<id>/scenario.json` exists. */
  | { exercise: string }
  /** Designed, not built yet: just its title. */
  | { planned: string };

export interface CurriculumWeek {
  /** "1", "4-5": the same spelling as scenario.json's `week`. */
  week: string;
  topics: CurriculumTopic[];
}

export interface CurriculumLevel {
  level: number;
  name: string;
  weeks: CurriculumWeek[];
}

const exercise = (id: string): CurriculumTopic => ({ exercise: id });
const planned = (title: string): CurriculumTopic => ({ planned: title });

export const CURRICULUM: readonly CurriculumLevel[] = [
  {
    level: 1,
    name: 'Foundations',
    weeks: [
      {
        week: '1',
        topics: [
          exercise('redis-pubsub-notifier'),
          exercise('redis-work-queue'),
          exercise('rabbitmq-request-reply'),
        ],
      },
      {
        week: '2',
        topics: [
          exercise('rabbitmq-exchanges'),
          exercise('rabbitmq-retry-worker'),
          exercise('rabbitmq-delivery-guarantees'),
        ],
      },
      {
        week: '3',
        topics: [exercise('event-design'), exercise('event-chain')],
      },
    ],
  },
  {
    level: 2,
    name: 'Technologies',
    weeks: [
      {
        week: '4-5',
        topics: [
          exercise('kafka-topics-partitions'),
          exercise('kafka-keyed-producer'),
          exercise('kafka-consumer-group'),
          exercise('kafka-stream-aggregation'),
          exercise('kafka-event-sourcing'),
          exercise('kafka-cdc-relay'),
          exercise('kafka-replication'),
        ],
      },
      {
        week: '6',
        topics: [
          exercise('rabbitmq-topic-routing'),
          exercise('rabbitmq-ttl-dlx-priorities'),
          exercise('rabbitmq-order-compensations'),
          exercise('rabbitmq-monitoring'),
          exercise('rabbitmq-quorum-ha'),
        ],
      },
      {
        week: '7',
        topics: [
          exercise('redis-streams-consumer-group'),
          exercise('sqs-visibility-dlq'),
          exercise('sns-fanout-filters'),
          exercise('migrate-rabbitmq-to-kafka'),
          exercise('compare-brokers'),
        ],
      },
    ],
  },
  {
    level: 3,
    name: 'Advanced',
    weeks: [
      {
        week: '8',
        topics: [
          exercise('idempotent-consumer'),
          exercise('ordering-at-scale'),
          exercise('retry-circuit-breaker'),
          exercise('backpressure'),
          exercise('load-test'),
          exercise('redis-rate-limiter'),
        ],
      },
      { week: '9', topics: [planned('Event store'), planned('Read models'), planned('Snapshots')] },
      {
        week: '10-11',
        topics: [
          planned('Metrics: consumer lag and throughput'),
          planned('Security: authentication and TLS'),
          planned('Backup and restore'),
          planned('Capacity planning'),
        ],
      },
    ],
  },
  {
    level: 4,
    name: 'Mastery',
    weeks: [
      {
        week: '12',
        topics: [
          exercise('transactional-outbox'),
          planned('Saga: choreography'),
          planned('Saga: orchestration'),
          planned('Event collaboration vs event notification'),
        ],
      },
      { week: '13-14', topics: [planned('Capstone: e-commerce under chaos')] },
    ],
  },
];

/** Every catalog id the plan names, in plan order. */
export function curriculumExerciseIds(curriculum: readonly CurriculumLevel[] = CURRICULUM): string[] {
  return curriculum.flatMap((level) =>
    level.weeks.flatMap((week) => week.topics.flatMap((topic) => ('exercise' in topic ? [topic.exercise] : []))),
  );
}
