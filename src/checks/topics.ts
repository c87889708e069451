/**
 * Checks over Kafka topics as the admin API showed them (workloads/kafka-topics-partitions.ts):
 * whether each topic has the partitions, replication and configs asked for, whether the data
 * the lab wrote survived the program's runs, and whether the program's keyed records sit
 * where Kafka's default partitioner puts them.
 *
 * Definitions:
 * - topic spec: a topic's name (without the run's namespace), its partition count, its
 *   replication factor and the configs asked for, each as Kafka shows it (a string).
 * - final state: the topic after the program stopped (observation "kafka-topic-state",
 *   moment "final").
 * - legacy topic: a topic the lab created before the program first ran, "from an earlier
 *   version", with fewer partitions and no configs of its own. A program must bring it to the
 *   spec (add partitions, alter configs), not skip it and not delete it.
 * - drift: a config the lab changes by hand between the program's two runs; a second run
 *   that leaves it so did not converge the topic.
 * - default left: an asked config the topic does not set (describeConfigs says it is the
 *   broker's default).
 * - seconds for ms: a ".ms" config set to the asked value divided by 1000.
 * - lost data: a partition whose end offset is lower at the end than it was at an earlier
 *   moment. Kafka's offsets only grow; a lower end offset means the topic was deleted and
 *   created again, and what the lab had written is gone.
 * - default partitioner: Java's and kafkajs's murmur2 of the key modulo the partition count
 *   (checks/kafka-partitioner.ts). A keyed record elsewhere was put there by another
 *   partitioner (librdkafka's crc32 default, round robin) or an explicit partition.
 * - expected keys: the keys the program was asked to send (one record per customer, keyed by
 *   its id), when the workload says; a key missing or one never asked for means the records
 *   are keyed by something else (an id written another way, one key for all).
 */
import { observationsOf } from '../runner/observations.js';
import type { KafkaTopicState } from '../runner/observations.js';
import { crc32Partition, murmur2Partition } from './kafka-partitioner.js';
import { type CheckDefinition, countOf, firstFew } from './types.js';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

export interface TopicsParams {
  topics: TopicSpec[];
  /** The topic the lab created before the program ran, and its partition count then. */
  legacy?: { topic: string; partitions: number };
  /** Configs the lab changed by hand between the program's two runs. */
  drift?: { topic: string; config: Record<string, string> };
}

const TOPIC_CAUSES = {
  missing: 'A topic of the spec does not exist: create every topic with the admin API (the lab\'s Kafka does not create topics on first use).',
  'not-converged': 'A topic that existed (before your first run, or changed by hand before your second) was left as it was: createTopics skips a topic that exists. Compare each existing topic with the spec and fix it: add partitions (createPartitions) and set the configs that differ (alterConfigs / incremental_alter_configs).',
  partitions: 'A topic has another partition count than the spec asks: pass numPartitions (new_partitions in Python) for each topic, and grow an existing topic with createPartitions.',
  'not-compacted': 'A topic asked to be compacted is not: set cleanup.policy=compact on it (infinite retention is not compaction: it keeps every old value of every key).',
  'seconds-for-ms': 'A .ms config was given in seconds: Kafka reads retention.ms, segment.ms and min.compaction.lag.ms in milliseconds (3600000 is one hour; 3600 is 3.6 seconds).',
  'default-left': 'A config the spec asks for was left at the broker\'s default: pass it in configEntries (kafkajs) or config (confluent-kafka NewTopic) when you create the topic, and alter it on a topic that exists.',
  'wrong-value': 'A topic\'s config or replication factor differs from the spec: compare each value with the README\'s table.',
} as const;
type TopicCause = keyof typeof TOPIC_CAUSES;
/** The order a failure's cause is picked in: the first that any topic shows. */
const CAUSE_ORDER: readonly TopicCause[] = ['missing', 'not-converged', 'partitions', 'not-compacted', 'seconds-for-ms', 'default-left', 'wrong-value'];

function parseTopics(raw: Record<string, unknown>): TopicsParams {
  const topics = raw.topics;
  const ok = (t: unknown): t is TopicSpec => {
    const s = t as TopicSpec;
    return typeof s?.name === 'string' && Number.isInteger(s.partitions) && Number.isInteger(s.replicationFactor) && typeof s.config === 'object' && s.config !== null && Object.values(s.config).every((v) => typeof v === 'string');
  };
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every(ok)) throw new Error('"topics" must be a list of {"name", "partitions", "replicationFactor", "config": {name: "value"}}');
  const legacy = raw.legacy as TopicsParams['legacy'];
  if (legacy !== undefined && (typeof legacy?.topic !== 'string' || !Number.isInteger(legacy.partitions))) throw new Error('"legacy" must be {"topic", "partitions"}');
  const drift = raw.drift as TopicsParams['drift'];
  if (drift !== undefined && (typeof drift?.topic !== 'string' || typeof drift.config !== 'object' || drift.config === null)) throw new Error('"drift" must be {"topic", "config": {name: "value"}}');
  return { topics, ...(legacy ? { legacy } : {}), ...(drift ? { drift } : {}) };
}

function finalStates(history: Parameters<CheckDefinition<unknown>['run']>[0]): Map<string, KafkaTopicState> {
  return new Map(observationsOf(history, 'kafka-topic-state').filter((op) => op.value.moment === 'final').map((op) => [op.value.topic, op.value]));
}

const sameValue = (actual: string | null, asked: string) => actual !== null && (actual === asked || (Number.isFinite(Number(actual)) && Number(actual) === Number(asked)));

/** The kafkajs call that sets these configs (alterConfigs replaces all of a topic's own configs, so all of them). */
function alterCall(fullName: string, config: Record<string, string>): string {
  const entries = Object.entries(config).map(([name, value]) => `{ name: '${name}', value: '${value}' }`).join(', ');
  return `admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: '${fullName}', configEntries: [${entries}] }] })`;
}

interface Finding {
  cause: TopicCause;
  text: string;
}

/** What differs between a topic's final state and its spec (pure). */
export function topicFindings(spec: TopicSpec, state: KafkaTopicState | undefined, legacy: TopicsParams['legacy'], drift?: TopicsParams['drift']): Finding[] {
  if (!state?.exists) {
    const configs = Object.entries(spec.config).map(([name, value]) => `{ name: '${name}', value: '${value}' }`).join(', ');
    return [{ cause: 'missing', text: `${spec.name}: does not exist; fix: admin.createTopics({ topics: [{ topic: '${state?.fullName ?? spec.name}', numPartitions: ${spec.partitions}, replicationFactor: ${spec.replicationFactor}, configEntries: [${configs}] }] })` }];
  }
  const findings: Finding[] = [];
  // The legacy topic still as the lab left it: the program skipped it.
  const skipped = legacy?.topic === spec.name && state.partitions === legacy.partitions && spec.partitions !== legacy.partitions;
  if (state.partitions !== spec.partitions) {
    const grow = state.partitions < spec.partitions;
    const cause: TopicCause = skipped ? 'not-converged' : 'partitions';
    const why = cause === 'not-converged' ? ` (as it was before your program ran: the topic existed, so createTopics skipped it)` : '';
    const fix = grow ? `fix: admin.createPartitions({ topicPartitions: [{ topic: '${state.fullName}', count: ${spec.partitions} }] })` : `Kafka cannot take partitions away: create it with ${spec.partitions} from the start`;
    findings.push({ cause, text: `${spec.name}: ${state.partitions} partitions, asked ${spec.partitions}${why}; ${fix}` });
  }
  const replication = state.askedReplicationFactor ?? spec.replicationFactor;
  if (state.replicationFactor !== replication) {
    findings.push({ cause: 'wrong-value', text: `${spec.name}: replication factor ${state.replicationFactor}, asked ${replication} (REPLICATION_FACTOR); Kafka cannot change it with createTopics or alterConfigs: create the topic with it` });
  }
  const wrongConfigs: string[] = [];
  let configCause: TopicCause | undefined;
  const rank = (c: TopicCause) => CAUSE_ORDER.indexOf(c);
  for (const [name, asked] of Object.entries(spec.config)) {
    const actual = state.configs[name];
    const value = actual?.value ?? null;
    if (actual && !actual.isDefault && sameValue(value, asked)) continue;
    if (actual?.isDefault && sameValue(value, asked)) continue; // the default is what was asked
    let cause: TopicCause;
    let what: string;
    const drifted = drift?.topic === spec.name ? drift.config[name] : undefined;
    if (drifted !== undefined && value !== null && sameValue(value, drifted)) {
      cause = 'not-converged';
      what = `${name} = ${value}, asked ${asked}: the lab changed it by hand between your runs, and your second run did not set it back`;
    } else if (name === 'cleanup.policy' && asked.includes('compact') && !(value ?? '').includes('compact')) {
      cause = 'not-compacted';
      what = `cleanup.policy = ${value ?? '(none)'}${actual?.isDefault ? ' (the default)' : ''}, asked ${asked}`;
    } else if (actual?.isDefault) {
      cause = skipped ? 'not-converged' : 'default-left';
      what = `${name} left at the default ${value ?? '(none)'}, asked ${asked}${skipped ? ' (as it was before your program ran)' : ''}`;
    } else if (name.endsWith('.ms') && value !== null && Number(value) * 1000 === Number(asked)) {
      cause = 'seconds-for-ms';
      what = `${name} = ${value}, asked ${asked}: ${value} ms is ${Number(value) / 1000} s, the value looks like seconds`;
    } else {
      cause = 'wrong-value';
      what = `${name} = ${value ?? '(none)'}, asked ${asked}`;
    }
    if (configCause === undefined || rank(cause) < rank(configCause)) configCause = cause;
    wrongConfigs.push(what);
  }
  if (configCause !== undefined) {
    findings.push({ cause: configCause, text: `${spec.name}: ${wrongConfigs.join('; ')}; fix: ${alterCall(state.fullName, spec.config)}` });
  }
  return findings;
}

export const topicsAsSpecified: CheckDefinition<TopicsParams> = {
  name: 'topics-as-specified',
  causes: TOPIC_CAUSES,
  parseParams: parseTopics,
  run(history, p) {
    const title = 'Every topic has the partitions, replication and configs asked for';
    const expected = p.topics.map((t) => `${t.name}: ${t.partitions} partitions, replication ${t.replicationFactor}${Object.keys(t.config).length ? `, ${Object.entries(t.config).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`).join('; ');
    const states = finalStates(history);
    if (states.size === 0) return { title, status: 'unknown', expected, observed: 'the lab could not read the topics', examples: [] };
    const findings = p.topics.flatMap((t) => topicFindings(t, states.get(t.name), p.legacy, p.drift));
    if (findings.length === 0) return { title, status: 'pass', expected, observed: `all ${p.topics.length} topics as asked`, examples: [] };
    const cause = CAUSE_ORDER.find((c) => findings.some((f) => f.cause === c)) ?? 'wrong-value';
    const topics = new Set(findings.map((f) => f.text.split(':')[0]));
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(topics.size, p.topics.length, 'topic')} differ from the spec: ${[...topics].join(', ')}`,
      examples: findings.map((f) => f.text),
      cause,
    };
  },
};

const DATA_CAUSES = {
  recreated: 'A topic lost the records the lab had written to it: it was deleted and created again (its offsets started over). Never delete a topic to change it: a topic holds data other services rely on. Add partitions with createPartitions and change configs with alterConfigs instead.',
} as const;

export const topicDataKept: CheckDefinition<Record<string, never>> = {
  name: 'topic-data-kept',
  causes: DATA_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'The records already in the topics survive your program\'s runs';
    const expected = 'every partition\'s end offset at the end at least what it was before your program ran (first and second run)';
    const all = observationsOf(history, 'kafka-topic-state').map((op) => op.value);
    const finals = new Map(all.filter((s) => s.moment === 'final').map((s) => [s.topic, s]));
    const earlier = all.filter((s) => s.moment !== 'final' && s.exists);
    if (finals.size === 0 || earlier.length === 0) return { title, status: 'unknown', expected, observed: 'the lab could not read the topics\' offsets', examples: [] };
    const lost: string[] = [];
    const seen = new Set<string>();
    for (const before of earlier) {
      if (seen.has(before.topic)) continue;
      const after = finals.get(before.topic);
      const when = before.moment === 'before-start' ? 'before your program first ran' : 'before its second run';
      const held = Object.values(before.endOffsets).reduce((a, b) => a + b, 0);
      if (!after?.exists) {
        seen.add(before.topic);
        lost.push(`${before.topic}: held ${held} records ${when}, and no longer exists`);
        continue;
      }
      const lower = Object.entries(before.endOffsets).filter(([p, end]) => (after.endOffsets[p] ?? 0) < end);
      if (lower.length > 0) {
        seen.add(before.topic);
        const [p, end] = lower[0] as [string, number];
        lost.push(`${before.topic}: partition ${p} ended at offset ${end} ${when}, and at ${after.endOffsets[p] ?? 0} at the end (offsets never go back: the topic was deleted and created again)`);
      }
    }
    if (lost.length === 0) return { title, status: 'pass', expected, observed: `all ${finals.size} topics kept their records`, examples: [] };
    return { title, status: 'fail', expected, observed: `${countOf(lost.length, finals.size, 'topic')} lost the records already in ${lost.length === 1 ? 'it' : 'them'}`, examples: lost, cause: 'recreated' };
  },
};

const PARTITIONER_CAUSES = {
  'wrong-keys': 'Your records are not keyed by the ids asked for: some asked keys never came, and keys nobody asked for did. Key each record by its own id, written exactly as the README shows it: the key is what compaction and the partitioner go by.',
  'not-murmur2': 'Your keyed records sit where librdkafka\'s default partitioner (crc32, "consistent_random") puts them, not where Java clients and kafkajs put the same keys (murmur2). Producers in different languages then split one key over two partitions. Set "partitioner": "murmur2_random" in confluent-kafka\'s producer config.',
  'not-by-key': 'Your keyed records are not where the default partitioner puts their keys: do not choose the partition yourself and do not use a round-robin or random partitioner; send each record with its key and let the default (murmur2) partitioner pick.',
} as const;

export interface KeyedParams {
  /** The topic (without the namespace) whose keyed records are checked. */
  topic: string;
}

export const keysPartitioned: CheckDefinition<KeyedParams> = {
  name: 'keys-partitioned',
  causes: PARTITIONER_CAUSES,
  parseParams(raw) {
    if (typeof raw.topic !== 'string') throw new Error('"topic" must be a string');
    return { topic: raw.topic };
  },
  run(history, p) {
    const title = `Keyed records in ${p.topic} sit where the default partitioner puts them`;
    const expected = 'each record in partition murmur2(key) % partitions, as Java clients and kafkajs put it';
    const seen = observationsOf(history, 'kafka-keyed-records').map((op) => op.value).filter((o) => o.topic === p.topic);
    const last = seen[seen.length - 1];
    if (!last || last.records.length === 0) return { title, status: 'unknown', expected, observed: `the lab found no records of your program in ${p.topic}`, examples: [] };
    const keyed = last.records.filter((r): r is typeof r & { key: string } => r.key !== null);
    const unkeyed = last.records.length - keyed.length;
    if (last.expectedKeys) {
      const asked = new Set(last.expectedKeys);
      const sent = new Set(keyed.map((r) => r.key));
      const missing = last.expectedKeys.filter((k) => !sent.has(k));
      const unasked = [...sent].filter((k) => !asked.has(k));
      if (missing.length > 0 || unasked.length > 0) {
        return {
          title,
          status: 'fail',
          expected: `every record keyed by one of the ${asked.size} ids asked for (${last.expectedKeys[0]} to ${last.expectedKeys[last.expectedKeys.length - 1]}), each of them sent`,
          observed: `${countOf(missing.length, asked.size, 'key')} asked for never came${unasked.length > 0 ? `, and ${unasked.length} key${unasked.length === 1 ? '' : 's'} nobody asked for did` : ''}${unkeyed > 0 ? `; ${unkeyed} record${unkeyed === 1 ? '' : 's'} had no key` : ''}`,
          examples: [...firstFew(missing).map((k) => `key ${k}: asked for, never sent`), ...firstFew(unasked).map((k) => `key ${k}: sent, not one of the ids asked for`)],
          cause: 'wrong-keys',
        };
      }
    }
    const misplaced = keyed.filter((r) => r.partition !== murmur2Partition(r.key, last.partitions));
    if (misplaced.length === 0 && unkeyed === 0) return { title, status: 'pass', expected, observed: `all ${keyed.length} records where murmur2 puts their keys (${last.partitions} partitions)`, examples: [] };
    // A key sent on each run shows once.
    const byKey = [...new Map(misplaced.map((r) => [r.key, r])).values()];
    const examples = firstFew(byKey).map((r) => `key ${r.key}: partition ${r.partition}, murmur2 puts it in ${murmur2Partition(r.key, last.partitions)}`);
    if (unkeyed > 0) examples.unshift(`${unkeyed} record${unkeyed === 1 ? '' : 's'} without a key`);
    const crc = misplaced.length > 0 && unkeyed === 0 && keyed.every((r) => r.partition === crc32Partition(r.key, last.partitions));
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(misplaced.length + unkeyed, last.records.length, 'record')} elsewhere than the default partitioner puts ${misplaced.length + unkeyed === 1 ? 'it' : 'them'}${crc ? ': every one where crc32 (librdkafka\'s default) puts it' : ''}`,
      examples,
      cause: crc ? 'not-murmur2' : 'not-by-key',
    };
  },
};
