/**
 * kill-broker-node: one node of a 3-node cluster (the Kafka cluster `kafka-cluster`, or the
 * RabbitMQ cluster with "broker": "rabbitmq-cluster") crashes mid-run: SIGKILL to
 * its process group, no controlled shutdown, then it is started again after `restartDelayMs`
 * with its log kept. The node that led a partition takes its leadership with it: the cluster
 * fences it (~3 s, broker.session.timeout.ms) and elects a new leader from the ISR; what a
 * producer had acknowledged survives only if it was replicated before the kill (acks=all with
 * min.insync.replicas 2), which is the lesson. On the RabbitMQ cluster the node hosting a
 * quorum queue's leader takes it along: the other two elect a new leader (Raft) and confirmed
 * messages survive; a classic queue on it is gone until the node is back. Only a cluster brokerlab runs natively; such a
 * scenario never runs beside another run on the cluster (shared by every run on it).
 *
 * Definitions:
 * - the target (faults/broker-node.ts): { "node": N }, { "leaderOf": {topic, partition} }
 *   or { "followerOf": {topic, partition} }, resolved when the fault strikes.
 * - at: a trigger (faults/triggers.ts), not a call: {"produced": N}, {"afterMs": N} or
 *   {"phase": "name"}.
 * - restartDelayMs: how long the node stays down (default 0: started again at once; it then
 *   takes a few seconds to rejoin). "heal" is recorded once the whole cluster answers again.
 */
import { num } from '../checks/types.js';
import { describeTarget, type NodeCluster, type NodeTarget, parseNodeCluster, parseNodeTarget, refuseUnlessNative, resolveNode } from './broker-node.js';
import { parseTrigger, type Trigger, whenTriggered } from './triggers.js';
import type { FaultDefinition } from './types.js';

export interface KillBrokerNodeParams {
  broker: NodeCluster;
  target: NodeTarget;
  at: Exclude<Trigger, { call: number }>;
  restartDelayMs: number;
}

export const killBrokerNode: FaultDefinition<KillBrokerNodeParams> = {
  name: 'kill-broker-node',
  // The cluster is shared by every run on it: none goes beside this one.
  holds: (params) => [params.broker],
  needs: (params) => [params.broker],
  parseParams(raw) {
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a broker node kill');
    const broker = parseNodeCluster(raw);
    return { broker, target: parseNodeTarget(raw, broker), at, restartDelayMs: num(raw, 'restartDelayMs', 0) };
  },
  async setup(_ctx, params) {
    await refuseUnlessNative('kill-broker-node', params.broker);
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-broker-node', id, broker: params.broker, ...value } });
    const strike = async (): Promise<void> => {
      const { brokerDef } = await import('../brokers/registry.js');
      const { killNode, nativeRuntime } = await import('../brokers/runtimes/native.js');
      const def = brokerDef(params.broker);
      const node = await resolveNode(params.target, ctx);
      const { pid } = await killNode(def, node);
      record({ phase: 'start', node, signal: 'SIGKILL', pid, target: describeTarget(params.target) });
      if (params.restartDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, params.restartDelayMs));
      const started = Date.now();
      // `up` starts exactly the nodes that are not running (this one) and waits for all three.
      // Nodes a pause of this run holds stay paused: the pause, not the restart, ends it.
      await nativeRuntime.up(def, { env: process.env, resumePaused: false });
      record({ phase: 'heal', node, restarted: true, startedMs: Date.now() - started });
    };
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(strike());
    });
  },
};
