/**
 * The lab's client of toxiproxy's HTTP API: one proxy per run and broker, between the
 * learner's program and that broker, named after the run's namespace so a sweep finds the
 * ones a killed brokerlab left. The lab's own clients never go through it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoints } from '../brokers/types.js';
import { isAlive } from '../brokers/process.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { brokerlabHome } from '../paths.js';

export interface Proxy {
  name: string;
  /** host:port the learner's program connects to. */
  listen: string;
  /** host:port of the broker. */
  upstream: string;
  /** The address the learner's program would use without the proxy, when it is not the
   *  upstream (Kafka: the plain listener; the proxy forwards to the proxied one). */
  replaces?: string;
}

export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'limit_data';

/** toxiproxy's directions: upstream carries the program's requests to the broker, downstream
 *  the broker's answers back. */
export type ToxicStream = 'upstream' | 'downstream';
export const BOTH_STREAMS: readonly ToxicStream[] = ['downstream', 'upstream'];

export interface ToxiproxyApi {
  /** A proxy listening on a free port, or on `listen` when given (Kafka's fixed one). */
  create(name: string, upstream: string, listen?: string): Promise<Proxy>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** Adds the toxic to `streams` (both by default: a cut or slow network is slow both ways). */
  addToxic(proxy: string, toxic: string, type: ToxicType, attributes: Record<string, number>, streams?: readonly ToxicStream[]): Promise<void>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<Proxy[]>;
}

export function toxiproxyApi(endpoint: Endpoints['toxiproxy']): ToxiproxyApi {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${endpoint.apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      throw new EnvironmentError(`toxiproxy is not reachable at ${endpoint.apiUrl} (${(error as Error).message}); start it with: brokerlab up toxiproxy`);
    }
    const text = await response.text();
    if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
      throw new EnvironmentError(`toxiproxy answered ${method} ${path} with HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    async create(name, upstream, listen) {
      // A toxiproxy on this machine listens on loopback; one elsewhere (a CI service) on every
      // interface, and the learner's program reaches it by the API's host name.
      const host = new URL(endpoint.apiUrl).hostname;
      const local = isLocalToxiproxy(endpoint);
      const created = (await call('POST', '/proxies', { name, listen: listen ?? (local ? '127.0.0.1:0' : '0.0.0.0:0'), upstream, enabled: true })) as Proxy;
      const port = created.listen.slice(created.listen.lastIndexOf(':') + 1);
      return { name, listen: local ? created.listen : `${host}:${port}`, upstream };
    },
    async setEnabled(name, enabled) {
      await call('POST', `/proxies/${encodeURIComponent(name)}`, { enabled });
    },
    async addToxic(proxy, toxic, type, attributes, streams = BOTH_STREAMS) {
      for (const stream of streams) {
        await call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, { name: `${toxic}-${stream}`, type, stream, toxicity: 1, attributes });
      }
    },
    async removeToxic(proxy, toxic) {
      // Both names: a toxic added to one stream only leaves a 404 for the other, which is fine.
      for (const stream of BOTH_STREAMS) await call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(`${toxic}-${stream}`)}`);
    },
    async remove(name) {
      await call('DELETE', `/proxies/${encodeURIComponent(name)}`);
    },
    async list() {
      return Object.values((await call('GET', '/proxies')) as Record<string, Proxy>);
    },
  };
}

/** True when toxiproxy runs on this machine (its proxies listen on loopback). */
export function isLocalToxiproxy(endpoint: Endpoints['toxiproxy']): boolean {
  const host = new URL(endpoint.apiUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** host:port of a broker's endpoint, as the learner's program reaches it. */
export function brokerAddress(broker: 'redis' | 'rabbitmq' | 'postgres' | 'sns', endpoints: Partial<Endpoints>): string {
  const url = broker === 'redis' ? endpoints.redis?.url : broker === 'rabbitmq' ? endpoints.rabbitmq?.amqpUrl : broker === 'sns' ? endpoints.sns?.endpoint : endpoints.postgres?.url;
  if (!url) throw new Error(`${broker} endpoint missing`);
  const parsed = new URL(url);
  const port = parsed.port || { redis: '6379', rabbitmq: '5672', postgres: '5432', sns: parsed.protocol === 'https:' ? '443' : '80' }[broker];
  return `${parsed.hostname}:${port}`;
}

/** Who holds Kafka's one proxy address now: a brokerlab process and its run's namespace. */
export interface KafkaProxyOwner {
  pid: number;
  namespace: string;
}

/** $BROKERLAB_HOME/kafka-proxy.owner: the proxy's address is one for the whole machine, so
 *  two brokerlab processes (a dev check and a `check`, two terminals) take turns through it. */
function ownerFile(): string {
  return join(brokerlabHome(), 'kafka-proxy.owner');
}

function readOwner(): KafkaProxyOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerFile(), 'utf8')) as Partial<KafkaProxyOwner>;
    return typeof owner.pid === 'number' && typeof owner.namespace === 'string' ? { pid: owner.pid, namespace: owner.namespace } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when a proxy at Kafka's address belongs to a run that may still use it: its owner file
 * names that proxy's run and a live process other than this one (a proxy of a killed brokerlab,
 * or of this process's own earlier run, is stale). Pure but for the liveness test given.
 */
export function kafkaProxyInUse(proxyName: string, owner: KafkaProxyOwner | undefined, alive: (pid: number) => boolean, self = process.pid): boolean {
  return owner !== undefined && owner.pid !== self && proxyName === `${owner.namespace}.kafka` && alive(owner.pid);
}

/**
 * The run's proxy in front of Kafka: at the fixed address Kafka's PROXIED listener advertises,
 * forwarding to that listener. Only brokerlab's own Kafka has that listener, and only a
 * toxiproxy on this machine listens where Kafka says; anything else is refused before the
 * program starts. Within one brokerlab the pool never runs two such runs at once (they hold
 * the same claim); across processes the owner file says whose proxy is there: a run waits
 * (saying so) while another live brokerlab's run holds it, and removes a proxy a killed
 * brokerlab left. `release` gives the address back.
 */
export async function kafkaProxy(
  namespace: string,
  endpoint: Endpoints['toxiproxy'],
  options: { signal?: AbortSignal; progress?: (message: string) => void } = {},
): Promise<Proxy & { release: () => Promise<void> }> {
  const { runtimeKindOf } = await import('../brokers/index.js');
  const { HOST, KAFKA_PROXY_PORT, PORTS } = await import('../brokers/ports.js');
  if ((await runtimeKindOf('kafka')) === 'external') {
    throw new UsageError('this exercise cuts the network to Kafka, which needs brokerlab\'s own Kafka (its listener for the proxy): unset BROKERLAB_KAFKA_BROKERS and run `brokerlab up kafka`');
  }
  if (!isLocalToxiproxy(endpoint)) {
    throw new UsageError(`this exercise cuts the network to Kafka, which needs toxiproxy on this machine (Kafka advertises ${HOST}:${KAFKA_PROXY_PORT}); unset BROKERLAB_TOXIPROXY_URL and run \`brokerlab up toxiproxy\``);
  }
  const api = toxiproxyApi(endpoint);
  const listen = `${HOST}:${KAFKA_PROXY_PORT}`;
  const name = `${namespace}.kafka`;
  let said = false;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const there = (await api.list()).filter((p) => p.listen === listen);
    const busy = there.find((p) => kafkaProxyInUse(p.name, readOwner(), isAlive));
    if (!busy) {
      for (const stale of there) await api.remove(stale.name);
      writeFileSync(ownerFile(), `${JSON.stringify({ pid: process.pid, namespace } satisfies KafkaProxyOwner)}\n`);
      try {
        const created = await api.create(name, `${HOST}:${PORTS.kafka.proxied}`, listen);
        const release = async () => {
          await api.remove(created.name);
          if (readOwner()?.namespace === namespace) rmSync(ownerFile(), { force: true });
        };
        return { ...created, replaces: `${HOST}:${PORTS.kafka.broker}`, release };
      } catch {
        // Another brokerlab created its proxy between our look and our create: wait for it.
      }
    } else if (!said) {
      options.progress?.(`waiting for another brokerlab run (pid ${readOwner()?.pid}) to finish with Kafka's proxy`);
      said = true;
    }
    await sleep(250);
  }
}
