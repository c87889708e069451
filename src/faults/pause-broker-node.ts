/**
 * pause-broker-node: one node of a 3-node cluster (the Kafka cluster, or the RabbitMQ cluster
 * with "broker": "rabbitmq-cluster") stands still for `durationMs` (SIGSTOP to
 * its process group, then SIGCONT). Its connections stay open but it answers nothing and
 * fetches nothing: a paused follower falls out of its partitions' ISR after
 * replica.lag.time.max.ms (5 s in the lab's cluster), and a paused node is fenced after its
 * broker session (3 s), its leaderships moved. When it wakes it catches up and rejoins.
 * On the RabbitMQ cluster a paused node is declared down after net_ticktime (10 s in the lab's
 * cluster); a quorum queue it led elects a new leader among the other two, a classic queue on
 * it is unavailable until it wakes.
 * Only a cluster brokerlab runs natively; such a scenario never runs beside another run on the cluster.
 *
 * Definitions:
 * - the target (faults/broker-node.ts), resolved when the fault strikes; a follower
 *   ({"followerOf": ...}) is the usual victim: the ISR shrinks to the leader and one other.
 * - at: a trigger (faults/triggers.ts), not a call.
 * - The pause always ends: at `durationMs`, when the run ends (its signal), when brokerlab
 *   exits (an exit handler), and at the latest on the next `brokerlab up kafka-cluster`
 *   (the native runtime wakes a stopped node).
 */
import { num } from '../checks/types.js';
import { signalGroup } from '../brokers/process.js';
import { clusterLabel, describeTarget, type NodeCluster, type NodeTarget, parseNodeCluster, parseNodeTarget, pausedNodes, refuseUnlessNative, resolveNode } from './broker-node.js';
import { parseTrigger, type Trigger, whenTriggered } from './triggers.js';
import type { FaultDefinition } from './types.js';

export interface PauseBrokerNodeParams {
  broker: NodeCluster;
  target: NodeTarget;
  at: Exclude<Trigger, { call: number }>;
  durationMs: number;
}

export const pauseBrokerNode: FaultDefinition<PauseBrokerNodeParams> = {
  name: 'pause-broker-node',
  // The cluster is shared by every run on it: none goes beside this one.
  holds: (params) => [params.broker],
  needs: (params) => [params.broker],
  parseParams(raw) {
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a broker node pause');
    const durationMs = num(raw, 'durationMs');
    if (durationMs <= 0) throw new Error('"durationMs" must be more than 0');
    const broker = parseNodeCluster(raw);
    return { broker, target: parseNodeTarget(raw, broker), at, durationMs };
  },
  async setup(_ctx, params) {
    await refuseUnlessNative('pause-broker-node', params.broker);
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'pause-broker-node', id, broker: params.broker, ...value } });
    const strike = async (): Promise<void> => {
      const { brokerDef } = await import('../brokers/registry.js');
      const { nativeNode } = await import('../brokers/runtimes/native.js');
      const node = await resolveNode(params.target, ctx);
      const running = nativeNode(brokerDef(params.broker), node);
      if (!running) throw new Error(`${clusterLabel(params.broker)} node ${node} is not running, so it cannot be paused`);
      // Whatever ends brokerlab from here on, the node must not stay stopped.
      const wake = (): void => signalGroup(running.pgid, 'SIGCONT');
      process.once('exit', wake);
      try {
        // Only the Kafka cluster's resolution looks at it (see resolveNode).
        if (params.broker === 'kafka-cluster') pausedNodes.add(node);
        signalGroup(running.pgid, 'SIGSTOP');
        record({ phase: 'start', node, signal: 'SIGSTOP', pid: running.pid, durationMs: params.durationMs, target: describeTarget(params.target) });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, params.durationMs);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
      } finally {
        wake();
        if (params.broker === 'kafka-cluster') pausedNodes.delete(node);
        process.removeListener('exit', wake);
      }
      record({ phase: 'heal', node, signal: 'SIGCONT' });
    };
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(strike());
    });
  },
};
