/**
 * The Kafka cluster's row of the footprint section: resident memory of the three JVMs (and
 * of every other native broker running beside them) idle, and while a short produce with
 * acks=all runs into a topic replicated to all three. The produce runs in the bench's own
 * process, counted as "CLI + learner".
 */
import { endpointOf, nativeProcessGroups } from '../brokers/index.js';
import { KAFKA_CLUSTER_HEAP } from '../brokers/kafka-cluster.js';
import { deleteMatching } from '../namespaces/kafka.js';
import { benchNamespace } from '../namespaces/names.js';
import { readProcTable, readRss } from './procfs.js';
import type { FootprintSample } from './footprint.js';

/** How long the idle cluster is sampled. */
const IDLE_MS = 2_000;
/** The short produce: this many batches of BATCH records of RECORD_BYTES, acks=all. */
const BATCHES = 200;
const BATCH = 100;
const RECORD_BYTES = 1_024;

export interface ClusterFootprint {
  idle: FootprintSample;
  produce: FootprintSample;
  /** RSS of each node at the produce's peak sample, by node id order. */
  nodes: number[];
  samples: number;
  heap: string;
}

/**
 * Samples every `sampleMs` while `work` runs: RSS of all the given broker groups, and of this
 * process as the lab; returns the peak and each cluster node's RSS at that peak.
 */
async function sampleWhile(work: Promise<unknown>, brokerGroups: () => number[], clusterPids: () => number[], sampleMs: number): Promise<{ peak: FootprintSample; nodes: number[]; samples: number }> {
  let peak: FootprintSample = { brokers: 0, lab: 0 };
  let nodes: number[] = [];
  let samples = 0;
  const take = (): void => {
    const groups = brokerGroups();
    let brokers = 0;
    for (const entry of readProcTable()) if (groups.includes(entry.pgid)) brokers += readRss(entry.pid) ?? 0;
    const lab = readRss(process.pid) ?? 0;
    samples++;
    if (brokers + lab > peak.brokers + peak.lab) {
      peak = { brokers, lab };
      nodes = clusterPids().map((pid) => readRss(pid) ?? 0);
    }
  };
  take();
  const timer = setInterval(take, sampleMs);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  take();
  return { peak, nodes, samples };
}

/** Measures the running native cluster; `allBrokerGroups` gives every native broker's group. */
export async function measureClusterFootprint(allBrokerGroups: () => number[], sampleMs: number): Promise<ClusterFootprint> {
  const clusterPids = (): number[] => nativeProcessGroups('kafka-cluster').map((node) => node.pid);
  const idle = await sampleWhile(new Promise((resolve) => setTimeout(resolve, IDLE_MS)), allBrokerGroups, clusterPids, sampleMs);

  const { Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
  const namespace = benchNamespace();
  const topic = `${namespace}.footprint`;
  const kafka = new Kafka({ clientId: namespace, brokers: endpointOf('kafka-cluster').brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  try {
    // Replication factor 3: every record goes to all three nodes.
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true }).catch((error: unknown) => {
      if (!/does not host this topic-partition/.test(String(error))) throw error;
    });
    await producer.connect();
    const value = Buffer.alloc(RECORD_BYTES, 'x');
    const produce = (async () => {
      for (let batch = 0; batch < BATCHES; batch++) {
        await producer.send({ topic, acks: -1, messages: Array.from({ length: BATCH }, (_, i) => ({ key: String(batch * BATCH + i), value })) });
      }
    })();
    const busy = await sampleWhile(produce, allBrokerGroups, clusterPids, sampleMs);
    return { idle: idle.peak, produce: busy.peak, nodes: busy.nodes, samples: idle.samples + busy.samples, heap: KAFKA_CLUSTER_HEAP.join(' ') };
  } finally {
    await producer.disconnect().catch(() => {});
    await deleteMatching(admin, (name) => name.startsWith(`${namespace}.`), 10_000).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
