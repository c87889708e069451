/**
 * pause-broker-node: one node of the Kafka cluster stands still for `durationMs` (SIGSTOP to
 * its process group, then SIGCONT). Its connections stay open but it answers nothing and
 * fetches nothing: a paused follower falls out of its partitions' ISR after
 * replica.lag.time.max.ms (5 s in the lab's cluster), and a paused node is fenced after its
 * broker session (3 s), its leaderships moved. When it wakes it catches up and rejoins.
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
import { describeTarget, type NodeTarget, parseNodeTarget, pausedNodes, refuseUnlessNative, resolveNode } from './broker-node.js';
import { parseTrigger, type Trigger, whenTriggered } from './triggers.js';
import type { FaultDefinition } from './types.js';

export interface PauseBrokerNodeParams {
  target: NodeTarget;
  at: Exclude<Trigger, { call: number }>;
  durationMs: number;
}

export const pauseBrokerNode: FaultDefinition<PauseBrokerNodeParams> = {
  name: 'pause-broker-node',
  // The cluster is shared by every run on it: none goes beside this one.
  holds: () => ['kafka-cluster'],
  needs: () => ['kafka-cluster'],
  parseParams(raw) {
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a broker node pause');
    const durationMs = num(raw, 'durationMs');
    if (durationMs <= 0) throw new Error('"durationMs" must be more than 0');
    return { target: parseNodeTarget(raw), at, durationMs };
  },
  async setup() {
    await refuseUnlessNative('pause-broker-node');
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'pause-broker-node', id, broker: 'kafka-cluster', ...value } });
    const strike = async (): Promise<void> => {
      const { brokerDef } = await import('../brokers/registry.js');
      const { nativeNode } = await import('../brokers/runtimes/native.js');
      const node = await resolveNode(params.target, ctx);
      const running = nativeNode(brokerDef('kafka-cluster'), node);
      if (!running) throw new Error(`Kafka cluster node ${node} is not running, so it cannot be paused`);
      // Whatever ends brokerlab from here on, the node must not stay stopped.
      const wake = (): void => signalGroup(running.pgid, 'SIGCONT');
      process.once('exit', wake);
      try {
        pausedNodes.add(node);
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
        pausedNodes.delete(node);
        process.removeListener('exit', wake);
      }
      record({ phase: 'heal', node, signal: 'SIGCONT' });
    };
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(strike());
    });
  },
};
