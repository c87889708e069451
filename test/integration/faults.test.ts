// Each fault of the library against the real thing: a real process paused and resumed, a
// real Redis connection cut through a real toxiproxy, a real Redis restarted with its data,
// copies pushed again onto a real Redis list, malformed messages into a real RabbitMQ queue.
// The faults are armed as a run arms them, on a FaultContext of literal parts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeDirs } from '../../src/brokers/runtimes/native.js';
import { FAULTS } from '../../src/faults/index.js';
import { kafkaProxy, toxiproxyApi } from '../../src/faults/toxiproxy.js';
import type { FaultContext, Inlet, ProxiedBroker } from '../../src/faults/types.js';
import { inlet } from '../../src/workloads/blocks/inlet.js';
import { HistoryRecorder } from '../../src/runner/history.js';
import { LearnerGroup, commandForFile } from '../../src/runner/learner.js';
import { REPO, tempRunsDir } from '../helpers.js';

const toxiproxy = toxiproxyApi({ apiUrl: 'http://127.0.0.1:8474' });

function context(history: HistoryRecorder, learners: LearnerGroup, proxies = new Map<ProxiedBroker, { name: string; listen: string }>(), inlets = new Map<string, Inlet>()) {
  const work: Array<Promise<unknown>> = [];
  const ended = new AbortController();
  const ctx: FaultContext = {
    history,
    namespace: 'bl-faults-test',
    learners,
    onDownstreamCall: () => {},
    probe: () => undefined,
    inlet: (name) => (name === undefined ? [...inlets.values()][0] : inlets.get(name)),
    track: (w) => void work.push(w),
    awaitReady: async () => {},
    signal: ended.signal,
    proxies,
    toxiproxy: () => toxiproxy,
  };
  return { ctx, settled: () => Promise.all(work), end: () => ended.abort() };
}

/** The state letter of /proc/<pid>/stat: S sleeping, T stopped. */
function stateOf(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '?';
}

describe('faults against the real thing', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step();
  });

  it('pause-learner: SIGSTOP for durationMs, then SIGCONT; the history says both', async () => {
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    learners.startAll();
    cleanups.push(() => learners.stopAll(1_000));
    await sleep(500);
    const pid = Number((history.history.find((op) => op.kind === 'process')?.value as { pid: number }).pid);
    const fault = FAULTS.get('pause-learner');
    const { ctx, settled } = context(history, learners);
    fault?.arm(ctx, fault.parseParams({ at: { phase: 'pause' }, durationMs: 600 }), 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'pause' });
    await sleep(200);
    expect(stateOf(pid)).toBe('T');
    await settled();
    expect(stateOf(pid)).not.toBe('T');
    expect(history.history.filter((op) => op.kind === 'fault').map((op) => (op.value as { phase: string }).phase)).toEqual(['start', 'heal']);
  });

  it('pause-learner: a paused program is still stopped cleanly (SIGCONT before SIGTERM)', async () => {
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    learners.startAll();
    await sleep(500);
    learners.get(1).pause();
    const started = Date.now();
    await learners.stopAll(3_000);
    expect(learners.get(1).running).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_500); // it acted on SIGTERM, no SIGKILL needed
  });

  it('scale-learner: starts the missing copies one at a time, each recorded as a process start, then stops the highest ones with SIGTERM', async () => {
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 3, tempRunsDir(), history);
    learners.startAll(1);
    cleanups.push(() => learners.stopAll(1_000));
    expect(learners.running().map((p) => p.instance)).toEqual([1]);
    const fault = FAULTS.get('scale-learner');
    expect(fault?.initialInstances?.(fault.parseParams({ from: 1, to: 3, at: { phase: 'grow' } }))).toBe(1);
    const { ctx, settled } = context(history, learners);
    fault?.arm(ctx, fault.parseParams({ from: 1, to: 3, at: { phase: 'grow' }, stepMs: 200 }), 0);
    fault?.arm(ctx, fault.parseParams({ to: 1, at: { phase: 'shrink' }, stepMs: 100, graceMs: 2_000 }), 1);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'grow' });
    await sleep(100);
    expect(learners.running().map((p) => p.instance)).toEqual([1, 2]);
    await settled();
    expect(learners.running().map((p) => p.instance)).toEqual([1, 2, 3]);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'shrink' });
    await sleep(50);
    await settled();
    expect(learners.running().map((p) => p.instance)).toEqual([1]);
    const starts = history.history.filter((op) => op.kind === 'process' && (op.value as { event: string }).event === 'start').map((op) => op.process);
    expect(starts).toEqual(['learner-1', 'learner-2', 'learner-3']);
    const exits = history.history.filter((op) => op.kind === 'process' && (op.value as { event: string }).event === 'exit').map((op) => [op.process, (op.value as { byLab: boolean }).byLab]);
    expect(exits).toEqual([['learner-3', true], ['learner-2', true]]);
    const steps = history.history.filter((op) => op.kind === 'fault').map((op) => { const v = op.value as { phase: string; action?: string; instance?: number }; return `${v.phase}${v.action ? ` ${v.action} ${v.instance}` : ''}`; });
    expect(steps).toEqual(['start start 2', 'start start 3', 'heal', 'start stop 3', 'start stop 2', 'heal']);
  });

  it('network cut: the connection through the proxy drops and comes back; the proxy is deleted after', async () => {
    const proxy = await toxiproxy.create('bl-test-faults.redis', '127.0.0.1:6379');
    cleanups.push(() => toxiproxy.remove(proxy.name));
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const client = new Redis(`redis://${proxy.listen}`, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => {});
    cleanups.push(() => client.disconnect());
    expect(await client.ping()).toBe('PONG');
    let closed = 0;
    client.on('close', () => closed++);
    const fault = FAULTS.get('network');
    const { ctx, settled } = context(history, learners, new Map([['redis', proxy]]));
    fault?.arm(ctx, fault.parseParams({ broker: 'redis', effect: 'cut', at: { phase: 'cut' }, durationMs: 800 }), 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'cut' });
    await sleep(300);
    expect(closed).toBeGreaterThan(0);
    await expect(client.ping()).rejects.toThrow();
    await settled();
    await sleep(300);
    expect(await client.ping()).toBe('PONG');
    await toxiproxy.remove(proxy.name);
    expect((await toxiproxy.list()).map((p) => p.name)).not.toContain(proxy.name);
  });

  it('network cut on Kafka: a client that bootstraps through the proxy stays behind it (the PROXIED listener), so the cut reaches it', async () => {
    const topic = 'bl-test-faults-kafka-cut';
    const admin = new Kafka({ clientId: 'bl-test-admin', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    });
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const proxy = await kafkaProxy('bl-test-faults', { apiUrl: 'http://127.0.0.1:8474' });
    cleanups.push(() => toxiproxy.remove(proxy.name));
    expect(proxy.replaces).toBe('127.0.0.1:9092');
    // What the learner's program would get in KAFKA_BROKERS: the proxy's address.
    const producer = new Kafka({ clientId: 'bl-test-learner', brokers: [proxy.listen], logLevel: logLevel.NOTHING, requestTimeout: 1_000, connectionTimeout: 500, retry: { retries: 0 } }).producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect().catch(() => {}));
    await producer.send({ topic, messages: [{ value: 'before' }] });

    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const fault = FAULTS.get('network');
    const { ctx, settled } = context(history, learners, new Map([['kafka', proxy]]));
    fault?.arm(ctx, fault.parseParams({ broker: 'kafka', effect: 'cut', at: { phase: 'cut' }, durationMs: 2_500 }), 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'cut' });
    await sleep(200);
    // Had metadata sent the client to 9092, this would get through.
    await expect(producer.send({ topic, messages: [{ value: 'during' }] })).rejects.toThrow();
    await settled();
    let after: unknown;
    for (let i = 0; i < 20 && after === undefined; i++) {
      after = await producer.send({ topic, messages: [{ value: 'after' }] }).catch(() => sleep(250).then(() => undefined));
    }
    expect(after).toBeDefined();
  });

  it('network latency: each round trip through the proxy takes the latency twice', async () => {
    const proxy = await toxiproxy.create('bl-test-faults-latency.redis', '127.0.0.1:6379');
    cleanups.push(() => toxiproxy.remove(proxy.name));
    const client = new Redis(`redis://${proxy.listen}`, { maxRetriesPerRequest: 1 });
    cleanups.push(() => client.disconnect());
    await client.ping();
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const fault = FAULTS.get('network');
    const { ctx, settled } = context(history, learners, new Map([['redis', proxy]]));
    fault?.arm(ctx, fault.parseParams({ broker: 'redis', effect: 'latency', latencyMs: 150, at: { phase: 'slow' }, durationMs: 1_000 }), 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'slow' });
    await sleep(100);
    const started = Date.now();
    await client.ping();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await settled();
    const after = Date.now();
    await client.ping();
    expect(Date.now() - after).toBeLessThan(100);
  });

  it('restart-broker: native Redis stops and starts, keeps its data with keepData, and clients reconnect', async () => {
    const lab = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    lab.on('error', () => {});
    cleanups.push(() => lab.disconnect());
    await lab.set('bl-test-faults:kept', 'yes');
    cleanups.push(() => lab.del('bl-test-faults:kept'));
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const fault = FAULTS.get('restart-broker');
    const { ctx, settled } = context(history, learners);
    const params = fault?.parseParams({ broker: 'redis', at: { phase: 'restart' }, downMs: 200, keepData: true });
    await fault?.setup?.({ proxy: async () => ({ name: '', listen: '' }) }, params, 0);
    fault?.arm(ctx, params, 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'restart' });
    await new Promise((resolve) => setImmediate(resolve)); // as ctx.phase(): the fault starts its work
    await settled();
    const phases = history.history.filter((op) => op.kind === 'fault').map((op) => op.value as { phase: string; runtime?: string });
    expect(phases.map((p) => p.phase)).toEqual(['start', 'heal']);
    expect(phases[1]?.runtime).toBe('native');
    await sleep(300);
    expect(await lab.get('bl-test-faults:kept')).toBe('yes');
    expect(() => readFileSync(path.join(nativeDirs('redis').dataDir, 'dump.rdb'))).toThrow();
  });

  it('duplicate: messages the lab sent go in again unchanged, each recorded as a copy', async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const list = 'bl-test-faults-duplicate:jobs';
    cleanups.push(() => redis.disconnect());
    cleanups.push(() => redis.del(list));
    const inlets = new Map<string, Inlet>();
    const jobs = inlet({ registerInlet: (name, registered) => void inlets.set(name, registered) }, 'jobs', { stream: 'jobs', send: async (m) => void (await redis.lpush(list, m.body)) });
    const history = new HistoryRecorder();
    for (let i = 1; i <= 9; i++) {
      await jobs.send({ key: `job-${i}`, body: Buffer.from(JSON.stringify({ jobId: `job-${i}` })) });
      history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'jobs', key: `job-${i}`, value: { tags: i === 5 ? ['slow'] : [] } });
    }
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const fault = FAULTS.get('duplicate');
    const { ctx, settled } = context(history, learners, undefined, inlets);
    fault?.arm(ctx, fault.parseParams({ at: { produced: 9 }, count: 3, copies: 2 }), 0);
    await settled();
    await sleep(100);
    await settled();
    const inList = (await redis.lrange(list, 0, -1)).map((body) => (JSON.parse(body) as { jobId: string }).jobId);
    expect(inList).toHaveLength(15);
    expect(inList.filter((id) => id === 'job-5')).toHaveLength(3);
    const copies = history.history.filter((op) => op.kind === 'produce' && op.process === 'nemesis');
    expect(copies.map((op) => op.key)).toEqual(['job-1', 'job-1', 'job-5', 'job-5', 'job-9', 'job-9']);
    expect((copies[2]?.value as { tags: string[] }).tags).toEqual(['duplicate', 'slow']);
  });

  it('poison: malformed messages go into a real queue with their keys as message ids', async () => {
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    cleanups.push(() => connection.close());
    const channel = await connection.createConfirmChannel();
    const queue = 'bl-test-faults-poison.tasks';
    await channel.assertQueue(queue, { durable: false });
    cleanups.push(() => channel.deleteQueue(queue));
    const inlets = new Map<string, Inlet>();
    const tasks = inlet({ registerInlet: (name, registered) => void inlets.set(name, registered) }, 'tasks', {
      stream: 'tasks',
      send: (m) => new Promise<void>((resolve, reject) => channel.sendToQueue(queue, m.body, { messageId: m.key }, (err: unknown) => (err ? reject(err) : resolve()))),
    });
    await tasks.send({ key: 'task-1', body: Buffer.from(JSON.stringify({ taskId: 'task-1', width: 320 })) });
    const history = new HistoryRecorder();
    const learners = new LearnerGroup(commandForFile(path.join(REPO, 'test/fixtures/sleeps-forever.ts')), {}, 1, tempRunsDir(), history);
    const fault = FAULTS.get('poison');
    const { ctx, settled } = context(history, learners, undefined, inlets);
    fault?.arm(ctx, fault.parseParams({ at: { phase: 'poison' } }), 0);
    history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'poison' });
    await new Promise((resolve) => setImmediate(resolve));
    await settled();
    const got = new Map<string, Buffer>();
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) break;
      got.set(String(message.properties.messageId), message.content);
    }
    expect([...got.keys()]).toEqual(['task-1', 'poison-not-json-1', 'poison-empty-1', 'poison-binary-1', 'poison-wrong-shape-1', 'poison-wrong-types-1']);
    expect(got.get('poison-empty-1')?.length).toBe(0);
    expect(JSON.parse(got.get('poison-wrong-types-1')?.toString() ?? '')).toEqual({ taskId: 7, width: 'seven' });
    const sent = history.history.filter((op) => op.kind === 'produce');
    expect(sent.every((op) => op.process === 'nemesis' && (op.value as { tags: string[] }).tags[0] === 'poison')).toBe(true);
    expect(history.history.filter((op) => op.kind === 'fault').map((op) => (op.value as { phase: string }).phase)).toEqual(['start', 'heal']);
  });
});
