// Kafka's partitioners, and topics-as-specified / topic-data-kept / keys-partitioned over literal histories.
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Partition, murmur2Partition } from '../../src/checks/kafka-partitioner.js';
import { type TopicSpec, keysPartitioned, topicDataKept, topicsAsSpecified } from '../../src/checks/topics.js';
import type { Operation } from '../../src/runner/history.js';
import type { KafkaKeyedRecords, KafkaTopicState } from '../../src/runner/observations.js';

describe('partitioners', () => {
  it('murmur2 puts every key where kafkajs\'s default partitioner does', () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    for (const partitions of [3, 6, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
      for (let i = 1; i <= 40; i++) {
        const key = `customer-${String(i).padStart(3, '0')}`;
        expect(murmur2Partition(key, partitions)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key, value: 'x' } }));
      }
    }
  });
  it('crc32 is the IEEE checksum', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

const specs: TopicSpec[] = [
  { name: 'orders', partitions: 6, replicationFactor: 1, config: { 'retention.ms': '1209600000' } },
  { name: 'profiles', partitions: 3, replicationFactor: 1, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '3600000' } },
  { name: 'clicks', partitions: 12, replicationFactor: 1, config: { 'retention.ms': '3600000' } },
];
const legacy = { topic: 'orders', partitions: 3 };

const set = (value: string) => ({ value, isDefault: false });
const byDefault = (value: string) => ({ value, isDefault: true });
const ends = (partitions: number, end = 5) => Object.fromEntries(Array.from({ length: partitions }, (_, p) => [String(p), end]));
function state(topic: string, partitions: number, configs: KafkaTopicState['configs'], moment: KafkaTopicState['moment'] = 'final', endOffsets = ends(partitions)): Operation {
  const value: KafkaTopicState = { topic, fullName: `ns.${topic}`, moment, exists: true, partitions, replicationFactor: 1, configs, endOffsets };
  return { t: moment === 'final' ? 9 : 2, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-topic-state', value };
}
const right = [
  state('orders', 6, { 'retention.ms': set('1209600000') }),
  state('profiles', 3, { 'cleanup.policy': set('compact'), 'min.compaction.lag.ms': set('3600000') }),
  state('clicks', 12, { 'retention.ms': set('3600000') }),
];
const withFinal = (topic: string, op: Operation) => right.map((o) => ((o.value as KafkaTopicState).topic === topic ? op : o));
const asSpecified = (history: Operation[]) => topicsAsSpecified.run(history, topicsAsSpecified.parseParams({ topics: specs, legacy }));

describe('topics-as-specified', () => {
  it('passes when every topic matches', () => {
    expect(asSpecified(right).status).toBe('pass');
  });
  it('names a topic the program never created', () => {
    const r = asSpecified(withFinal('clicks', { ...state('clicks', 0, {}), value: { ...(state('clicks', 0, {}).value as KafkaTopicState), exists: false } }));
    expect(r).toMatchObject({ status: 'fail', cause: 'missing' });
  });
  it('says the legacy topic was skipped when it still has its old partitions and default configs', () => {
    const r = asSpecified(withFinal('orders', state('orders', 3, { 'retention.ms': byDefault('604800000') })));
    expect(r).toMatchObject({ status: 'fail', cause: 'not-converged' });
    expect(r.examples[0]).toContain('createPartitions');
    expect(r.examples[1]).toContain("name: 'retention.ms', value: '1209600000'");
  });
  it('a converged legacy topic whose retention was forgotten: default left', () => {
    expect(asSpecified(withFinal('orders', state('orders', 6, { 'retention.ms': byDefault('604800000') })))).toMatchObject({ status: 'fail', cause: 'default-left' });
  });
  it('a wrong partition count on a topic the program created', () => {
    const r = asSpecified(withFinal('clicks', state('clicks', 6, { 'retention.ms': set('3600000') })));
    expect(r).toMatchObject({ status: 'fail', cause: 'partitions' });
    expect(r.examples[0]).toContain('6 partitions, asked 12');
  });
  it('delete where compact was asked', () => {
    expect(asSpecified(withFinal('profiles', state('profiles', 3, { 'cleanup.policy': byDefault('delete'), 'min.compaction.lag.ms': byDefault('0') })))).toMatchObject({ status: 'fail', cause: 'not-compacted' });
  });
  it('seconds where milliseconds were asked', () => {
    expect(asSpecified(withFinal('clicks', state('clicks', 12, { 'retention.ms': set('3600') })))).toMatchObject({ status: 'fail', cause: 'seconds-for-ms' });
  });
  it('a config the lab changed by hand between the runs and the second run left so', () => {
    const r = topicsAsSpecified.run(withFinal('clicks', state('clicks', 12, { 'retention.ms': set('7200000') })), topicsAsSpecified.parseParams({ topics: specs, legacy, drift: { topic: 'clicks', config: { 'retention.ms': '7200000' } } }));
    expect(r).toMatchObject({ status: 'fail', cause: 'not-converged' });
    expect(r.examples[0]).toContain('changed it by hand between your runs');
  });
  it('another value', () => {
    expect(asSpecified(withFinal('clicks', state('clicks', 12, { 'retention.ms': set('7200000') })))).toMatchObject({ status: 'fail', cause: 'wrong-value' });
  });
  it('is unknown without observations', () => {
    expect(asSpecified([]).status).toBe('unknown');
  });
});

describe('topic-data-kept', () => {
  const before = [state('orders', 3, {}, 'before-start', ends(3, 4)), state('profiles', 3, {}, 'before-restart', ends(3, 4))];
  it('passes when end offsets only grew', () => {
    expect(topicDataKept.run([...before, ...right], {}).status).toBe('pass');
  });
  it('finds a topic created again: an end offset went back', () => {
    const history = [...before, ...withFinal('profiles', state('profiles', 3, {}, 'final', ends(3, 3)))];
    const r = topicDataKept.run(history, {});
    expect(r).toMatchObject({ status: 'fail', cause: 'recreated' });
    expect(r.examples[0]).toContain('profiles: partition 0 ended at offset 4 before its second run');
  });
});

describe('keys-partitioned', () => {
  const keys = Array.from({ length: 20 }, (_, i) => `customer-${String(i + 1).padStart(3, '0')}`);
  const records = (place: (key: string) => number): Operation => {
    const value: KafkaKeyedRecords = { topic: 'profiles', partitions: 3, records: keys.map((key, i) => ({ key, partition: place(key), offset: String(i) })) };
    return { t: 9, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-keyed-records', value };
  };
  const run = (history: Operation[]) => keysPartitioned.run(history, keysPartitioned.parseParams({ topic: 'profiles' }));
  it('passes records where murmur2 puts them', () => {
    expect(run([records((k) => murmur2Partition(k, 3))]).status).toBe('pass');
  });
  it('recognizes librdkafka\'s crc32 default', () => {
    expect(run([records((k) => crc32Partition(k, 3))])).toMatchObject({ status: 'fail', cause: 'not-murmur2' });
  });
  it('anything else is not by key', () => {
    let n = 0;
    expect(run([records(() => n++ % 3)])).toMatchObject({ status: 'fail', cause: 'not-by-key' });
  });
  it('is unknown without records', () => {
    expect(run([]).status).toBe('unknown');
  });
  const withExpected = (sent: string[], expectedKeys: string[]): Operation => {
    const value: KafkaKeyedRecords = { topic: 'profiles', partitions: 3, records: sent.map((key, i) => ({ key, partition: murmur2Partition(key, 3), offset: String(i) })), expectedKeys };
    return { t: 9, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-keyed-records', value };
  };
  it('passes the asked keys, each sent (twice: two runs)', () => {
    expect(run([withExpected([...keys, ...keys], keys)]).status).toBe('pass');
  });
  it('fails keys written another way, naming asked and unasked ones', () => {
    const r = run([withExpected(keys.map((_, i) => `customer-${i + 1}`), keys)]);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-keys' });
    expect(r.observed).toBe('20 of 20 keys asked for never came, and 20 keys nobody asked for did');
    expect(r.examples).toContain('key customer-001: asked for, never sent');
    expect(r.examples).toContain('key customer-1: sent, not one of the ids asked for');
  });
  it('fails one key for every record (murmur2 placement right)', () => {
    const r = run([withExpected(keys.map(() => 'customer-001'), keys)]);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-keys' });
    expect(r.observed).toBe('19 of 20 keys asked for never came');
  });
});
