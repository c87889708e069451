/**
 * The lab's client of toxiproxy's HTTP API: one proxy per run and broker, between the
 * learner's program and that broker, named after the run's namespace so a sweep finds the
 * ones a killed brokerlab left. The lab's own clients never go through it.
 */
import type { Endpoints } from '../brokers/types.js';
import { EnvironmentError } from '../errors.js';

export interface Proxy {
  name: string;
  /** host:port the learner's program connects to. */
  listen: string;
  /** host:port of the broker. */
  upstream: string;
}

export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'limit_data';

export interface ToxiproxyApi {
  create(name: string, upstream: string): Promise<Proxy>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  addToxic(proxy: string, toxic: string, type: ToxicType, attributes: Record<string, number>): Promise<void>;
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
    async create(name, upstream) {
      // A toxiproxy on this machine listens on loopback; one elsewhere (a CI service) on every
      // interface, and the learner's program reaches it by the API's host name.
      const host = new URL(endpoint.apiUrl).hostname;
      const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
      const created = (await call('POST', '/proxies', { name, listen: local ? '127.0.0.1:0' : '0.0.0.0:0', upstream, enabled: true })) as Proxy;
      const port = created.listen.slice(created.listen.lastIndexOf(':') + 1);
      return { name, listen: local ? created.listen : `${host}:${port}`, upstream };
    },
    async setEnabled(name, enabled) {
      await call('POST', `/proxies/${encodeURIComponent(name)}`, { enabled });
    },
    async addToxic(proxy, toxic, type, attributes) {
      // Both directions: a cut or slow network is slow both ways.
      for (const stream of ['downstream', 'upstream'] as const) {
        await call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, { name: `${toxic}-${stream}`, type, stream, toxicity: 1, attributes });
      }
    },
    async removeToxic(proxy, toxic) {
      for (const stream of ['downstream', 'upstream']) await call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(`${toxic}-${stream}`)}`);
    },
    async remove(name) {
      await call('DELETE', `/proxies/${encodeURIComponent(name)}`);
    },
    async list() {
      return Object.values((await call('GET', '/proxies')) as Record<string, Proxy>);
    },
  };
}

/** host:port of a broker's endpoint, as the learner's program reaches it. */
export function brokerAddress(broker: 'redis' | 'rabbitmq' | 'postgres', endpoints: Partial<Endpoints>): string {
  const url = broker === 'redis' ? endpoints.redis?.url : broker === 'rabbitmq' ? endpoints.rabbitmq?.amqpUrl : endpoints.postgres?.url;
  if (!url) throw new Error(`${broker} endpoint missing`);
  const parsed = new URL(url);
  const port = parsed.port || { redis: '6379', rabbitmq: '5672', postgres: '5432' }[broker];
  return `${parsed.hostname}:${port}`;
}
