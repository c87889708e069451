/**
 * Faults ("nemesis" in Jepsen's words) are chosen by the scenario independently of the
 * workload: a workload only exposes points where a fault may strike (a downstream call in
 * flight) and evidence a fault may wait for (probes), and the runner arms the scenario's
 * faults on them.
 */
import type { BrokerName } from '../brokers/types.js';
import type { CallHook } from '../runner/downstream.js';
import type { HistoryRecorder } from '../runner/history.js';
import type { LearnerGroup } from '../runner/learner.js';

/**
 * Evidence a workload can read from the brokers about one message, e.g. "committed-past":
 * the consumer group's committed offset is already past this message's offset. A fault
 * holding a call open polls it to strike the moment a mistake is visible.
 */
export type Probe = (key: string) => Promise<boolean>;

/**
 * An inlet: how the lab puts messages into the learner's input (a queue, a list, a topic),
 * remembering what it sent, so that faults can put in more: `duplicate` sends a message again
 * exactly as it was (same id, same body), `poison` sends malformed ones. A workload registers
 * its inlets by name (blocks/inlet.ts); faults look them up when they strike.
 */
export interface Inlet {
  /** The history stream the inlet's messages are recorded under. */
  stream: string;
  /** The keys the lab sent through this inlet so far, in order. */
  sentKeys(): readonly string[];
  /** The body of a message the lab sent (to derive a malformed one from), if any. */
  bodyOf(key: string): Buffer | undefined;
  /** Sends a message again, unchanged: the same key, id, body and headers. */
  resend(key: string): Promise<SentAt>;
  /** Sends `body` as a message with this key (as the message's id where the broker has one). */
  sendRaw(key: string, body: Buffer): Promise<SentAt>;
}

/** Where a sent message landed, where the broker says (a Kafka partition and offset). */
export interface SentAt {
  partition?: number;
  offset?: string;
}

export interface FaultContext {
  history: HistoryRecorder;
  /** The run's namespace as Kafka names carry it ("bl-...", or "<learner>.bl-..." on a shared
   *  cluster): a fault that names a topic ("orders") acts on "<namespace>.orders". */
  namespace: string;
  learners: LearnerGroup;
  /** Registers a hook on every downstream service the workload starts. */
  onDownstreamCall(hook: CallHook): void;
  /** A probe the workload registered under this name, if any (looked up when the fault strikes). */
  probe(name: string): Probe | undefined;
  /** An inlet the workload registered under this name, if any (looked up when the fault
   *  strikes); without a name, the workload's only inlet. */
  inlet(name?: string): Inlet | undefined;
  /** Waits until copy `instance`, started mid-run, is ready (the workload's awaitCopyReady,
   *  bounded by the scenario's readyMs), or has exited. Never throws: a copy that does not
   *  get ready is recorded as a `not-ready` learner event, graded as the "ready" check. */
  awaitReady(instance: number): Promise<void>;
  /** Remembers async work (a restart) so the run waits for it before cleanup. */
  track(work: Promise<unknown>): void;
  /** Aborted on Ctrl-C, at the run's cap, and when the run ends: a fault waiting for its
   *  trigger stops waiting. */
  signal: AbortSignal;
  /** The run's proxies, by broker (see FaultSetupContext.proxy), and how to act on them. */
  proxies: ReadonlyMap<ProxiedBroker, { name: string; listen: string }>;
  toxiproxy(): import('./toxiproxy.js').ToxiproxyApi;
}

/** What a fault can prepare before the learner's program starts. */
export interface FaultSetupContext {
  /**
   * The run's proxy between the learner's program and `broker` (created once per broker and
   * run, deleted at cleanup). The learner's program gets the proxy's address in place of the
   * broker's, in the same variables, so it cannot tell; the lab's own clients go direct.
   */
  proxy(broker: ProxiedBroker): Promise<{ name: string; listen: string }>;
}

/** Brokers a network fault can stand between. Kafka's clients learn the brokers' addresses
 *  from the brokers, so its proxy is the one behind the listener that advertises it
 *  (brokers/kafka.ts, KAFKA_PROXY_PORT): one for all runs, so such a run goes alone. SNS is
 *  moto's one HTTP endpoint (SNS and SQS): its proxy carries both, and the queue URLs in the
 *  program's environment point through it too. */
export const PROXIED_BROKERS = ['redis', 'rabbitmq', 'postgres', 'kafka', 'sns'] as const;
export type ProxiedBroker = (typeof PROXIED_BROKERS)[number];

/** Kafka's one proxy (the address Kafka advertises to proxied clients): a run whose Kafka
 *  traffic goes through toxiproxy holds it. */
export const KAFKA_PROXY_CLAIM = 'kafka-proxy';

export interface FaultDefinition<P> {
  name: string;
  parseParams(raw: Record<string, unknown>): P;
  /** Services the fault needs reachable besides the scenario's brokers (toxiproxy). */
  needs?(params: P): BrokerName[];
  /** What the fault disturbs for every run that uses it (a broker it restarts, Kafka's one
   *  proxy): `grade` and `dev check` never run such a scenario beside a run using the same. */
  holds?(params: P): string[];
  /** True when the fault disturbs everything (and says no `holds`): the scenario runs alone. */
  exclusive?: boolean | ((params: P) => boolean);
  /** Before the learner's program starts: create what the fault acts through. */
  setup?(ctx: FaultSetupContext, params: P, id: number): Promise<void>;
  /** How many copies of the learner's program the run starts with, when the fault starts
   *  the others later (scale-learner's `from`); undefined: all of them. */
  initialInstances?(params: P): number | undefined;
  /** The most copies of the learner's program the fault has running at once: the catalog
   *  refuses a scenario whose learner.instances is lower. */
  instancesNeeded?(params: P): number;
  /** `id` is the fault's index in the scenario's list, recorded with each of its events. */
  arm(ctx: FaultContext, params: P, id: number): void;
}
