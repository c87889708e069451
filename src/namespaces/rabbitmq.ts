/**
 * A namespace in RabbitMQ: a vhost of the run's own (deleted with everything in it), or, on a
 * shared cluster where the learner has one vhost for all runs, the queues and exchanges that
 * appeared in that vhost while the run went on. Through the management HTTP API, the one
 * client of it in brokerlab (runs, sweep, workshop, bench and tests use this).
 */
import type { Endpoints } from '../brokers/types.js';
import { EnvironmentError } from '../errors.js';
import { NAMESPACE_PREFIX } from './names.js';

export interface ManagementResponse {
  status: number;
  json: unknown;
}

/** method + path under /api -> status and parsed JSON; refuses a 401/403 with a clear line. */
export type ManagementApi = (method: string, path: string, body?: unknown) => Promise<ManagementResponse>;

/** `refusedHint`: what to say after a 401/403 ("BROKERLAB_AMQP_URL must log in as an administrator"). */
export function managementApi(rabbit: Pick<Endpoints['rabbitmq'], 'managementUrl' | 'username' | 'password'>, options: { timeoutMs?: number; refusedHint?: string } = {}): ManagementApi {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const auth = `Basic ${Buffer.from(`${rabbit.username}:${rabbit.password}`).toString('base64')}`;
  return async (method, path, body) => {
    let response: Response;
    try {
      response = await fetch(`${rabbit.managementUrl}/api${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new EnvironmentError(`RabbitMQ's management API is not reachable at ${rabbit.managementUrl} (${(error as Error).message})`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new EnvironmentError(`RabbitMQ's management API refused ${method} ${path} for user "${rabbit.username}" (HTTP ${response.status})${options.refusedHint ? `; ${options.refusedHint}` : ''}`);
    }
    const text = await response.text();
    if (!response.ok && response.status !== 404) {
      throw new EnvironmentError(`RabbitMQ's management API answered ${method} ${path} with HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
}

const v = encodeURIComponent;

/** Creates a vhost and gives `user` every permission on it. */
export async function createVhost(api: ManagementApi, vhost: string, user: string, description?: string): Promise<void> {
  await api('PUT', `/vhosts/${v(vhost)}`, description ? { description } : {});
  await api('PUT', `/permissions/${v(vhost)}/${v(user)}`, { configure: '.*', write: '.*', read: '.*' });
}

/** Deletes a vhost and everything in it; false when there was none. */
export async function deleteVhost(api: ManagementApi, vhost: string): Promise<boolean> {
  return (await api('DELETE', `/vhosts/${v(vhost)}`)).status !== 404;
}

export async function listVhosts(api: ManagementApi): Promise<string[]> {
  return ((await api('GET', '/vhosts')).json as Array<{ name: string }>).map((x) => x.name);
}

export interface VhostObjects {
  queues: Set<string>;
  exchanges: Set<string>;
}

/** The queues and exchanges in a vhost now, by name. */
export async function vhostObjects(api: ManagementApi, vhost: string): Promise<VhostObjects> {
  const [queues, exchanges] = await Promise.all([api('GET', `/queues/${v(vhost)}?columns=name`), api('GET', `/exchanges/${v(vhost)}?columns=name`)]);
  const names = (r: ManagementResponse) => new Set(((r.json as Array<{ name: string }> | undefined) ?? []).map((x) => x.name));
  return { queues: names(queues), exchanges: names(exchanges) };
}

/**
 * A given vhost's cleanup: deletes what is in the vhost now and was not before the run, except
 * names of other runs ("bl-<their namespace>.tasks": runs graded at the same time share the
 * vhost). A name is this run's when it starts with its namespace, and nobody else's when it
 * does not start with "bl-" at all (a name the learner's program chose itself, e.g. a retry
 * exchange).
 */
export async function deleteAddedObjects(api: ManagementApi, vhost: string, namespace: string, before: VhostObjects): Promise<void> {
  const ours = (name: string, existed: Set<string>) => !existed.has(name) && name !== '' && !name.startsWith('amq.') && (name.startsWith(`${namespace}.`) || !name.startsWith(NAMESPACE_PREFIX));
  const now = await vhostObjects(api, vhost);
  for (const queue of now.queues) if (ours(queue, before.queues)) await api('DELETE', `/queues/${v(vhost)}/${v(queue)}`);
  for (const exchange of now.exchanges) if (ours(exchange, before.exchanges)) await api('DELETE', `/exchanges/${v(vhost)}/${v(exchange)}`);
}
