/**
 * network: trouble on the wire between the learner's program and one broker, through the
 * run's toxiproxy proxy (the program gets the proxy's address in the usual variable; the
 * lab's own clients go direct, so the lab keeps seeing the truth).
 *
 * Kafka tells its clients where its brokers are, so a client that bootstraps through a proxy
 * would go around it for everything else. Kafka has a second listener for this
 * (brokers/kafka.ts, PROXIED) that advertises the proxy's fixed address (KAFKA_PROXY_PORT):
 * the program, given that address, stays behind the proxy. One proxy for all runs, so two runs
 * with a network fault on Kafka never go side by side, and only on brokerlab's own Kafka and toxiproxy.
 *
 * Effects, for `durationMs` from the trigger (`at`, see faults/triggers.ts):
 * - cut: the proxy closes every connection and refuses new ones, then lets them in again:
 *   a program must notice, reconnect, and restore what the connection held (subscriptions,
 *   consumers, channels);
 * - reset: every connection is reset as soon as data flows (TCP RST);
 * - latency: `latencyMs` (+- `jitterMs`) more each way;
 * - slow-close: connections close `delayMs` late;
 * - bandwidth: at most `rateKBps`.
 * A toxic effect acts on both directions unless `stream` says one: "upstream" (the program's
 * requests to the broker) or "downstream" (the broker's answers). `reset` on "downstream"
 * lets every request reach the broker and resets the connection when the answer comes back:
 * the broker did the work, the program never hears so. That is the window a producer's retry
 * needs to write a record twice (a producer without idempotence), which a reset of both
 * directions (the request never arrives) cannot open. A cut is always both ways.
 * Every effect ends at `durationMs`, and at the latest when the run ends (the proxy is
 * deleted at cleanup; `brokerlab up` deletes proxies a killed brokerlab left).
 */
import { num, str } from '../checks/types.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import { BOTH_STREAMS, type ToxicStream, type ToxicType } from './toxiproxy.js';
import { type FaultDefinition, KAFKA_PROXY_CLAIM, PROXIED_BROKERS, type ProxiedBroker } from './types.js';
import { setTimeout as sleep } from 'node:timers/promises';

const EFFECTS = ['cut', 'reset', 'latency', 'slow-close', 'bandwidth'] as const;
export type NetworkEffect = (typeof EFFECTS)[number];

const STREAMS = ['both', 'upstream', 'downstream'] as const;
/** Which direction a toxic acts on: both, the program's requests only, or the answers only. */
export type NetworkStream = (typeof STREAMS)[number];

export interface NetworkParams {
  broker: ProxiedBroker;
  at: Trigger;
  effect: NetworkEffect;
  durationMs: number;
  latencyMs: number;
  jitterMs: number;
  delayMs: number;
  rateKBps: number;
  stream: NetworkStream;
}

/** toxiproxy's streams for a `stream` param. */
export function toxicStreams(stream: NetworkStream): readonly ToxicStream[] {
  return stream === 'both' ? BOTH_STREAMS : [stream];
}

/** The toxic an effect adds, or undefined for a cut (done by disabling the proxy). */
export function toxicOf(p: Pick<NetworkParams, 'effect' | 'latencyMs' | 'jitterMs' | 'delayMs' | 'rateKBps'>): { type: ToxicType; attributes: Record<string, number> } | undefined {
  switch (p.effect) {
    case 'cut':
      return undefined;
    case 'reset':
      return { type: 'reset_peer', attributes: { timeout: 0 } };
    case 'latency':
      return { type: 'latency', attributes: { latency: p.latencyMs, jitter: p.jitterMs } };
    case 'slow-close':
      return { type: 'slow_close', attributes: { delay: p.delayMs } };
    case 'bandwidth':
      return { type: 'bandwidth', attributes: { rate: p.rateKBps } };
  }
}

export const network: FaultDefinition<NetworkParams> = {
  name: 'network',
  parseParams(raw) {
    const broker = str(raw, 'broker');
    if (!(PROXIED_BROKERS as readonly string[]).includes(broker)) {
      throw new Error(`"broker" must be one of ${PROXIED_BROKERS.join(', ')}`);
    }
    const effect = str(raw, 'effect');
    if (!(EFFECTS as readonly string[]).includes(effect)) throw new Error(`"effect" must be one of ${EFFECTS.join(', ')}`);
    const stream = str(raw, 'stream', 'both');
    if (!(STREAMS as readonly string[]).includes(stream)) throw new Error(`"stream" must be one of ${STREAMS.join(', ')}`);
    if (effect === 'cut' && stream !== 'both') throw new Error('"stream" must be "both" for a cut (the proxy closes whole connections)');
    if ('call' in parseTrigger(raw.at)) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a network fault');
    return {
      broker: broker as ProxiedBroker,
      at: parseTrigger(raw.at),
      effect: effect as NetworkEffect,
      durationMs: num(raw, 'durationMs'),
      latencyMs: num(raw, 'latencyMs', 0),
      jitterMs: num(raw, 'jitterMs', 0),
      delayMs: num(raw, 'delayMs', 0),
      rateKBps: num(raw, 'rateKBps', 0),
      stream: stream as NetworkStream,
    };
  },
  needs: () => ['toxiproxy'],
  // Kafka's proxy is one for every run (the address Kafka advertises): two runs with a fault
  // on it would share it. Other brokers' proxies are the run's own.
  holds: (params) => (params.broker === 'kafka' ? [KAFKA_PROXY_CLAIM] : []),
  async setup(ctx, params) {
    await ctx.proxy(params.broker);
  },
  arm(ctx, params, id) {
    const proxy = ctx.proxies.get(params.broker);
    if (!proxy) throw new Error(`no proxy for ${params.broker}: the network fault was not set up`);
    const api = ctx.toxiproxy();
    const toxic = toxicOf(params);
    const record = (value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'network', id, broker: params.broker, effect: params.effect, ...(params.stream === 'both' ? {} : { stream: params.stream }), ...value } });
    // Named after the fault, so two faults of one effect (both ways, then one way) never share a toxic.
    const toxicName = `bl-${params.effect}-${id}`;
    const strike = async (): Promise<void> => {
      record({ phase: 'start', durationMs: params.durationMs });
      if (toxic) await api.addToxic(proxy.name, toxicName, toxic.type, toxic.attributes, toxicStreams(params.stream));
      else await api.setEnabled(proxy.name, false);
      await Promise.race([sleep(params.durationMs), new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
      if (toxic) await api.removeToxic(proxy.name, toxicName).catch(() => {});
      else await api.setEnabled(proxy.name, true).catch(() => {});
      record({ phase: 'heal' });
    };
    if ('call' in params.at) return;
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(strike());
    });
  },
};
