// The fault library's schedules and settings, over literal data: triggers, network effects,
// the learner's env through a proxy, restart-broker's params, duplicate's picks, poison bodies,
// and how a workload hears fault events.
import { describe, expect, it } from 'vitest';
import { pickDuplicates } from '../../src/faults/duplicate.js';
import { type FaultOperation, killTimes, onFaultEvent } from '../../src/faults/events.js';
import { pick } from '../../src/faults/broker-node.js';
import { FAULTS, runClaim, runsAlone } from '../../src/faults/index.js';
import { KAFKA_PROXY_CLAIM } from '../../src/faults/types.js';
import { POISON_KINDS, poisonBody } from '../../src/faults/poison.js';
import { toxicOf, toxicStreams } from '../../src/faults/network.js';
import { firedAt, parseTrigger } from '../../src/faults/triggers.js';
import { brokerAddress, kafkaProxyInUse } from '../../src/faults/toxiproxy.js';
import { HistoryRecorder, type Operation } from '../../src/runner/history.js';
import { throughProxies } from '../../src/runner/run.js';

const produce = (t: number, stream = 'tasks'): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream, key: `k${t}` });
const phase = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'phase', outcome: 'ok', key });

describe('triggers', () => {
  it('parses each kind, and refuses anything else naming the field', () => {
    expect(parseTrigger({ call: 30, tag: 'lone', attempt: 2 })).toEqual({ call: 30, tag: 'lone', attempt: 2 });
    expect(parseTrigger({ produced: 50, stream: 'orders' })).toEqual({ produced: 50, stream: 'orders' });
    expect(parseTrigger({ afterMs: 800 })).toEqual({ afterMs: 800 });
    expect(parseTrigger({ phase: 'phase-2' })).toEqual({ phase: 'phase-2' });
    expect(() => parseTrigger({ soon: true })).toThrow('"at" must be a trigger');
    expect(() => parseTrigger(undefined)).toThrow('"at" must be a trigger');
  });
  it('"produced" fires at the N-th message the lab produced (of the stream, if given)', () => {
    const h = [produce(10), produce(20, 'other'), produce(30), produce(40)];
    expect(firedAt({ produced: 2 }, h, 100)).toBe(20);
    expect(firedAt({ produced: 2, stream: 'tasks' }, h, 100)).toBe(30);
    expect(firedAt({ produced: 5 }, h, 100)).toBeUndefined();
  });
  it('"afterMs" counts from the workload phase; "phase" fires when the workload enters it', () => {
    const h = [phase(500, 'workload'), phase(900, 'phase-2')];
    expect(firedAt({ afterMs: 300 }, h, 800)).toBe(800);
    expect(firedAt({ afterMs: 300 }, h, 799)).toBeUndefined();
    expect(firedAt({ afterMs: 300 }, [], 5000)).toBeUndefined();
    expect(firedAt({ phase: 'phase-2' }, h, 1000)).toBe(900);
  });
});

describe('network', () => {
  const base = { latencyMs: 200, jitterMs: 50, delayMs: 300, rateKBps: 8 };
  it('maps each effect to its toxic; a cut disables the proxy instead', () => {
    expect(toxicOf({ ...base, effect: 'cut' })).toBeUndefined();
    expect(toxicOf({ ...base, effect: 'latency' })).toEqual({ type: 'latency', attributes: { latency: 200, jitter: 50 } });
    expect(toxicOf({ ...base, effect: 'reset' })).toEqual({ type: 'reset_peer', attributes: { timeout: 0 } });
    expect(toxicOf({ ...base, effect: 'slow-close' })).toEqual({ type: 'slow_close', attributes: { delay: 300 } });
    expect(toxicOf({ ...base, effect: 'bandwidth' })).toEqual({ type: 'bandwidth', attributes: { rate: 8 } });
  });
  it('refuses a broker it cannot stand in front of, and a call trigger', () => {
    const parse = (raw: Record<string, unknown>) => FAULTS.get('network')?.parseParams(raw);
    expect(() => parse({ broker: 'sqs', effect: 'cut', at: { phase: 'x' }, durationMs: 1 })).toThrow('"broker" must be one of redis, rabbitmq, postgres, kafka, sns');
    expect(parse({ broker: 'kafka', effect: 'cut', at: { phase: 'x' }, durationMs: 1 })).toMatchObject({ broker: 'kafka' });
    expect(() => parse({ broker: 'redis', effect: 'cut', at: { call: 3 }, durationMs: 1 })).toThrow('"at" must be');
    expect(parse({ broker: 'redis', effect: 'cut', at: { phase: 'cut' }, durationMs: 500 })).toMatchObject({ broker: 'redis', effect: 'cut', durationMs: 500 });
  });
  it('acts on both directions unless told one: a reset of the answers only lets the request through', () => {
    const parse = (raw: Record<string, unknown>) => FAULTS.get('network')?.parseParams(raw);
    expect(parse({ broker: 'kafka', effect: 'reset', at: { phase: 'x' }, durationMs: 800 })).toMatchObject({ stream: 'both' });
    expect(parse({ broker: 'kafka', effect: 'reset', at: { phase: 'x' }, durationMs: 800, stream: 'downstream' })).toMatchObject({ effect: 'reset', stream: 'downstream' });
    expect(() => parse({ broker: 'kafka', effect: 'reset', at: { phase: 'x' }, durationMs: 800, stream: 'sideways' })).toThrow('"stream" must be one of both, upstream, downstream');
    expect(() => parse({ broker: 'kafka', effect: 'cut', at: { phase: 'x' }, durationMs: 800, stream: 'upstream' })).toThrow('"stream" must be "both" for a cut');
    expect(toxicStreams('both')).toEqual(['downstream', 'upstream']);
    expect(toxicStreams('downstream')).toEqual(['downstream']);
    expect(toxicStreams('upstream')).toEqual(['upstream']);
  });
  it('gives the learner the proxy\'s address in the same variables, leaving the rest alone', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/bl-x', ORDERS_CHANNEL: 'bl-x:orders' };
    expect(throughProxies(env, [{ upstream: '127.0.0.1:6379', listen: '127.0.0.1:40001' }])).toEqual({ ...env, REDIS_URL: 'redis://127.0.0.1:40001' });
    // Kafka's proxy forwards to the proxied listener, and stands in for the plain one.
    const kafka = { KAFKA_BROKERS: '127.0.0.1:9092', PAYMENTS_TOPIC: 'bl-x.payments' };
    expect(throughProxies(kafka, [{ upstream: '127.0.0.1:9094', listen: '127.0.0.1:9095', replaces: '127.0.0.1:9092' }])).toEqual({ ...kafka, KAFKA_BROKERS: '127.0.0.1:9095' });
  });
  it('stands in front of moto (SNS and SQS on one endpoint): the endpoints and the queue URLs go through the proxy', () => {
    expect(brokerAddress('sns', { sns: { endpoint: 'http://127.0.0.1:9326', region: 'us-east-1' } })).toBe('127.0.0.1:9326');
    const env = { SNS_ENDPOINT: 'http://127.0.0.1:9326', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9326', ORDER_INBOX_URL: 'http://127.0.0.1:9326/123456789012/bl-x-order-inbox', AWS_REGION: 'us-east-1' };
    expect(throughProxies(env, [{ upstream: '127.0.0.1:9326', listen: '127.0.0.1:40002' }])).toEqual({
      ...env,
      SNS_ENDPOINT: 'http://127.0.0.1:40002',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:40002',
      ORDER_INBOX_URL: 'http://127.0.0.1:40002/123456789012/bl-x-order-inbox',
    });
  });
});

describe('restart-broker and pause-learner', () => {
  it('a scenario that restarts a broker holds that broker; one that kills or pauses its own program holds nothing', () => {
    const restart = { fault: 'restart-broker', params: { broker: 'postgres', at: { phase: 'x' } } };
    expect(runClaim({ brokers: ['rabbitmq', 'postgres'], faults: [restart] })).toEqual({ uses: ['rabbitmq', 'postgres'], holds: ['postgres'] });
    expect(runsAlone({ faults: [restart] })).toBe(false);
    expect(runClaim({ brokers: ['redis'], faults: [{ fault: 'kill-learner' }, { fault: 'pause-learner' }, { fault: 'network', params: { broker: 'redis', effect: 'cut', at: { phase: 'x' }, durationMs: 500 } }] })).toEqual({ uses: ['redis'], holds: [] });
    // Kafka's proxy is the one address Kafka advertises: two runs with a fault on it would share it.
    expect(runClaim({ brokers: ['kafka'], faults: [{ fault: 'network', params: { broker: 'kafka', effect: 'cut', at: { phase: 'x' }, durationMs: 500 } }] })).toEqual({ uses: ['kafka', KAFKA_PROXY_CLAIM], holds: [KAFKA_PROXY_CLAIM] });
    // A load test says so: it measures, and a run beside it would change its numbers.
    expect(runsAlone({ runsAlone: 'it measures throughput and latency', faults: [] })).toBe(true);
    expect(runClaim({ brokers: ['rabbitmq'], runsAlone: 'it measures', faults: [] })).toEqual({ uses: ['rabbitmq'], holds: 'all' });
  });
  it('parse their params with the field named', () => {
    expect(FAULTS.get('restart-broker')?.parseParams({ broker: 'redis', at: { phase: 'restart' }, keepData: true })).toEqual({ broker: 'redis', at: { phase: 'restart' }, downMs: 0, keepData: true });
    expect(() => FAULTS.get('restart-broker')?.parseParams({ broker: 'activemq', at: { phase: 'x' } })).toThrow('"broker" must be one of');
    expect(FAULTS.get('pause-learner')?.parseParams({ at: { call: 20 }, durationMs: 3000 })).toEqual({ at: { call: 20 }, instance: 1, durationMs: 3000 });
    expect(() => FAULTS.get('pause-learner')?.parseParams({ at: { call: 20 } })).toThrow('"durationMs" must be a number');
  });
});

describe('duplicate and poison', () => {
  const keys = Array.from({ length: 9 }, (_, i) => `task-${i}`);
  it('duplicate picks copies evenly over what was sent, or the latest; all when fewer were sent', () => {
    expect(pickDuplicates(keys, 3, 'spread')).toEqual(['task-0', 'task-4', 'task-8']);
    expect(pickDuplicates(keys, 1, 'spread')).toEqual(['task-4']);
    expect(pickDuplicates(keys, 2, 'latest')).toEqual(['task-7', 'task-8']);
    expect(pickDuplicates(keys.slice(0, 2), 5, 'spread')).toEqual(['task-0', 'task-1']);
    expect(pickDuplicates([], 5, 'latest')).toEqual([]);
  });
  it('duplicate and poison take triggers that are not calls, and name a wrong field', () => {
    const dup = FAULTS.get('duplicate');
    expect(dup?.parseParams({ at: { produced: 20 } })).toEqual({ at: { produced: 20 }, inlet: undefined, count: 5, copies: 1, pick: 'spread', tag: undefined });
    expect(() => dup?.parseParams({ at: { call: 3 } })).toThrow('"at" must be');
    expect(() => dup?.parseParams({ at: { phase: 'x' }, pick: 'random' })).toThrow('"pick" must be one of spread, latest');
    expect(() => dup?.parseParams({ at: { phase: 'x' }, copies: 0 })).toThrow('at least 1');
    const poison = FAULTS.get('poison');
    expect(poison?.parseParams({ at: { afterMs: 100 }, kinds: ['empty'] })).toEqual({ at: { afterMs: 100 }, inlet: undefined, kinds: ['empty'], count: 1 });
    expect(poison?.parseParams({ at: { afterMs: 100 } }).kinds).toEqual([...POISON_KINDS]);
    expect(() => poison?.parseParams({ at: { afterMs: 100 }, kinds: ['gibberish'] })).toThrow('"kinds" must be a list of not-json, empty, binary, wrong-shape, wrong-types');
    expect(runsAlone({ faults: [{ fault: 'duplicate' }, { fault: 'poison' }] })).toBe(false);
  });
  it('poison bodies: cut-off JSON, empty, not UTF-8, an unknown shape, every field retyped', () => {
    expect(() => JSON.parse(poisonBody('not-json', 'poison-not-json-1').toString())).toThrow();
    expect(poisonBody('not-json', 'poison-not-json-1').toString()).toContain('poison-not-json-1');
    expect(poisonBody('empty', 'k').length).toBe(0);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(poisonBody('binary', 'k'))).toThrow();
    expect(JSON.parse(poisonBody('wrong-shape', 'k').toString())).toEqual({ unexpected: 'k', hint: 'none of the fields you expect' });
    const template = Buffer.from(JSON.stringify({ taskId: 'task-1', width: 320, urgent: false, sizes: [1, 2], owner: { name: 'Ada' } }));
    expect(JSON.parse(poisonBody('wrong-types', 'k', template).toString())).toEqual({ taskId: 7, width: 'seven', urgent: 'no', sizes: { items: 2 }, owner: { name: 7 } });
    // Nothing JSON to derive from: the unknown shape instead.
    expect(JSON.parse(poisonBody('wrong-types', 'k', Buffer.from('plain text')).toString())).toHaveProperty('unexpected', 'k');
    expect(JSON.parse(poisonBody('wrong-types', 'k').toString())).toHaveProperty('unexpected', 'k');
  });
  it('a "produced" trigger counts only what the lab itself produced, not copies or poison', () => {
    const nemesis: Operation = { t: 15, process: 'nemesis', kind: 'produce', outcome: 'ok', stream: 'tasks', key: 'k10' };
    expect(firedAt({ produced: 2 }, [produce(10), nemesis, produce(20)], 100)).toBe(20);
  });
});

describe('onFaultEvent', () => {
  it('replays the fault events already recorded, then hears each new one, until stopped; other operations are not fault events', () => {
    const history = new HistoryRecorder();
    const fault = (value: Record<string, unknown>) => history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, ...value } });
    fault({ phase: 'hold' });
    fault({ note: 'no phase: not an event' });
    history.record({ process: 'lab', kind: 'produce', outcome: 'ok', key: 'k1' });
    const heard: FaultOperation[] = [];
    const stop = onFaultEvent(history, (op) => heard.push(op));
    expect(heard.map((op) => op.value.phase)).toEqual(['hold']);
    fault({ phase: 'start', signal: 'SIGKILL' });
    expect(heard.map((op) => op.value.phase)).toEqual(['hold', 'start']);
    stop();
    fault({ phase: 'heal' });
    expect(heard).toHaveLength(2);
  });
});

describe('kill-broker-node and pause-broker-node', () => {
  it('hold the Kafka cluster (no run on it goes beside them), and need it', () => {
    const at = { phase: 'x' };
    expect(runClaim({ brokers: ['kafka-cluster'], faults: [{ fault: 'kill-broker-node', params: { node: 1, at } }] })).toEqual({ uses: ['kafka-cluster'], holds: ['kafka-cluster'] });
    expect(runClaim({ brokers: ['kafka-cluster'], faults: [{ fault: 'pause-broker-node', params: { node: 2, at, durationMs: 1000 } }] })).toEqual({ uses: ['kafka-cluster'], holds: ['kafka-cluster'] });
    const kill = FAULTS.get('kill-broker-node');
    expect(kill?.needs?.(kill.parseParams({ node: 1, at: { phase: 'x' } }))).toEqual(['kafka-cluster']);
  });

  it('take a node, the leader of a partition of the run, or a follower of one', () => {
    const kill = FAULTS.get('kill-broker-node');
    expect(kill?.parseParams({ leaderOf: { topic: 'orders', partition: 1 }, at: { produced: 50 }, restartDelayMs: 2_000 })).toEqual({
      broker: 'kafka-cluster',
      target: { leaderOf: { topic: 'orders', partition: 1 } },
      at: { produced: 50 },
      restartDelayMs: 2_000,
    });
    expect(kill?.parseParams({ node: 2, at: { afterMs: 500 } })).toEqual({ broker: 'kafka-cluster', target: { node: 2 }, at: { afterMs: 500 }, restartDelayMs: 0 });
    const pause = FAULTS.get('pause-broker-node');
    expect(pause?.parseParams({ followerOf: { topic: 'orders' }, at: { phase: 'p' }, durationMs: 8_000 })).toEqual({
      broker: 'kafka-cluster',
      target: { followerOf: { topic: 'orders', partition: 0, index: 0 } },
      at: { phase: 'p' },
      durationMs: 8_000,
    });
  });

  it('refuse a missing or double target, a node that does not exist, a call trigger and no duration', () => {
    const kill = FAULTS.get('kill-broker-node');
    const pause = FAULTS.get('pause-broker-node');
    expect(() => kill?.parseParams({ at: { phase: 'x' } })).toThrow('exactly one of "node"');
    expect(() => kill?.parseParams({ node: 1, leaderOf: { topic: 't' }, at: { phase: 'x' } })).toThrow('exactly one of "node"');
    expect(() => kill?.parseParams({ node: 4, at: { phase: 'x' } })).toThrow('"node" must be 1, 2 or 3');
    expect(() => kill?.parseParams({ leaderOf: 'orders', at: { phase: 'x' } })).toThrow('"leaderOf" must be {"topic"');
    expect(() => kill?.parseParams({ node: 1, at: { call: 3 } })).toThrow('"at" must be');
    expect(() => pause?.parseParams({ node: 1, at: { phase: 'x' } })).toThrow('durationMs');
    expect(pause?.parseParams({ followerOf: { topic: 'orders', index: 1 }, at: { phase: 'p' }, durationMs: 1 }).target).toEqual({ followerOf: { topic: 'orders', partition: 0, index: 1 } });
    expect(() => pause?.parseParams({ followerOf: { topic: 'orders', index: -1 }, at: { phase: 'p' }, durationMs: 1 })).toThrow('"followerOf.index"');
  });

  it('pick a partition\'s leader, or its i-th follower in replica order', () => {
    const view = { leader: 2, replicas: [2, 3, 1] };
    expect(pick({ leaderOf: { topic: 'p', partition: 0 } }, view, 'p-0')).toBe(2);
    expect(pick({ followerOf: { topic: 'p', partition: 0, index: 0 } }, view, 'p-0')).toBe(3);
    expect(pick({ followerOf: { topic: 'p', partition: 0, index: 1 } }, view, 'p-0')).toBe(1);
    expect(() => pick({ followerOf: { topic: 'p', partition: 0, index: 0 } }, { leader: 2, replicas: [2] }, 'p-0')).toThrow('p-0 has no follower 1 (replicas 2, leader 2)');
    expect(() => pick({ leaderOf: { topic: 'p', partition: 0 } }, { leader: -1, replicas: [1, 2, 3] }, 'p-0')).toThrow('p-0 has no leader right now');
  });

  it('act on the RabbitMQ cluster with "broker": hold it, need it, and take a node or the node leading a queue of the run', () => {
    const at = { phase: 'x' };
    const params = { broker: 'rabbitmq-cluster', leaderOfQueue: 'orders', at };
    expect(runClaim({ brokers: ['rabbitmq-cluster'], faults: [{ fault: 'kill-broker-node', params }] })).toEqual({ uses: ['rabbitmq-cluster'], holds: ['rabbitmq-cluster'] });
    expect(runClaim({ brokers: ['rabbitmq-cluster'], faults: [{ fault: 'pause-broker-node', params: { ...params, durationMs: 5_000 } }] })).toEqual({ uses: ['rabbitmq-cluster'], holds: ['rabbitmq-cluster'] });
    const kill = FAULTS.get('kill-broker-node');
    const pause = FAULTS.get('pause-broker-node');
    expect(kill?.parseParams({ ...params, restartDelayMs: 3_000 })).toEqual({ broker: 'rabbitmq-cluster', target: { leaderOfQueue: 'orders' }, at, restartDelayMs: 3_000 });
    expect(kill?.needs?.(kill.parseParams(params))).toEqual(['rabbitmq-cluster']);
    expect(pause?.parseParams({ broker: 'rabbitmq-cluster', node: 3, at, durationMs: 4_000 })).toEqual({ broker: 'rabbitmq-cluster', target: { node: 3 }, at, durationMs: 4_000 });
    // A Kafka target on the RabbitMQ cluster, a queue on the Kafka cluster, an unknown cluster.
    expect(() => kill?.parseParams({ broker: 'rabbitmq-cluster', leaderOf: { topic: 't' }, at })).toThrow('RabbitMQ cluster needs exactly one of "node": N or "leaderOfQueue"');
    expect(() => kill?.parseParams({ leaderOfQueue: 'orders', at })).toThrow('Kafka cluster needs exactly one of "node"');
    expect(() => kill?.parseParams({ broker: 'rabbitmq', node: 1, at })).toThrow('"broker" must be "kafka-cluster" or "rabbitmq-cluster"');
  });

  it('a broker node kill is not a kill of the learner\'s program for the checks', () => {
    const h: Operation[] = [
      { t: 10, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-broker-node', id: 0, phase: 'start', node: 2, signal: 'SIGKILL' } },
      { t: 20, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 1, phase: 'start', instance: 1, signal: 'SIGKILL' } },
    ];
    expect(killTimes(h)).toEqual([20]);
  });
});

describe('broker node faults on a cluster brokerlab does not run', () => {
  it('are refused on an external RabbitMQ cluster too, naming its variable', async () => {
    const saved = process.env.BROKERLAB_RABBITMQ_CLUSTER_URLS;
    process.env.BROKERLAB_RABBITMQ_CLUSTER_URLS = 'amqp://r1:5672,amqp://r2:5672,amqp://r3:5672';
    try {
      const fault = FAULTS.get('kill-broker-node')!;
      const params = fault.parseParams({ broker: 'rabbitmq-cluster', leaderOfQueue: 'orders', at: { phase: 'x' } });
      const refusal = fault.setup!({ proxy: () => Promise.reject(new Error('unused')) }, params, 0);
      await expect(refusal).rejects.toThrow(/a node of the RabbitMQ cluster.*external here \(BROKERLAB_RABBITMQ_CLUSTER_URLS\)\. Unset it and run `brokerlab up rabbitmq-cluster`\.$/);
    } finally {
      if (saved === undefined) delete process.env.BROKERLAB_RABBITMQ_CLUSTER_URLS;
      else process.env.BROKERLAB_RABBITMQ_CLUSTER_URLS = saved;
    }
  });

  it('are refused before the program starts, in one line naming the variable', async () => {
    const saved = process.env.BROKERLAB_KAFKA_CLUSTER_BROKERS;
    process.env.BROKERLAB_KAFKA_CLUSTER_BROKERS = 'k1:9092,k2:9092,k3:9092';
    try {
      for (const name of ['kill-broker-node', 'pause-broker-node']) {
        const fault = FAULTS.get(name)!;
        const params = fault.parseParams({ node: 1, at: { phase: 'x' }, durationMs: 1_000 });
        const refusal = fault.setup!({ proxy: () => Promise.reject(new Error('unused')) }, params, 0);
        await expect(refusal).rejects.toThrow(`this exercise's ${name} fault kills or pauses a node of the Kafka cluster`);
        await expect(refusal).rejects.toThrow(/external here \(BROKERLAB_KAFKA_CLUSTER_BROKERS\)\. Unset it and run `brokerlab up kafka-cluster`\.$/);
      }
    } finally {
      if (saved === undefined) delete process.env.BROKERLAB_KAFKA_CLUSTER_BROKERS;
      else process.env.BROKERLAB_KAFKA_CLUSTER_BROKERS = saved;
    }
  });
});

describe("Kafka's one proxy across brokerlab processes", () => {
  const alive = (pid: number) => pid === 4242;
  it('is in use while a live other process owns that very proxy', () => {
    expect(kafkaProxyInUse('bl-run1.kafka', { pid: 4242, namespace: 'bl-run1' }, alive, 1)).toBe(true);
  });
  it('is stale when its owner died, when the owner file names another run, when there is none, or when it is our own', () => {
    expect(kafkaProxyInUse('bl-run1.kafka', { pid: 999, namespace: 'bl-run1' }, alive, 1)).toBe(false);
    expect(kafkaProxyInUse('bl-run1.kafka', { pid: 4242, namespace: 'bl-run2' }, alive, 1)).toBe(false);
    expect(kafkaProxyInUse('bl-run1.kafka', undefined, alive, 1)).toBe(false);
    expect(kafkaProxyInUse('bl-run1.kafka', { pid: 4242, namespace: 'bl-run1' }, alive, 4242)).toBe(false);
  });
});
