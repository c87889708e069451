/**
 * RabbitMQ for a workshop, through the management HTTP API as an administrator: per learner
 * a vhost "bl-<slug>" and a user "<slug>" with configure/write/read on that vhost only.
 * The user's tags are "management" (the lab's own client watches consumers through the API
 * with the learner's login, and learners may look at their vhost in the web UI) and a marker
 * tag, so brokerlab never takes over or deletes a user it did not create.
 */
import type { Endpoints } from '../brokers/types.js';
import { UsageError, throwIfInterrupted } from '../errors.js';
import { type ManagementApi, createVhost, deleteVhost, managementApi } from '../namespaces/rabbitmq.js';
import { type Account, type Learner, namespaceOf } from './roster.js';

/** Marks users created by `brokerlab workshop provision`. */
export const WORKSHOP_TAG = 'brokerlab-workshop';

type Api = ManagementApi;

function managementApiOf(admin: Endpoints['rabbitmq']): Api {
  return managementApi(admin, { timeoutMs: 15_000, refusedHint: 'BROKERLAB_AMQP_URL must log in as an administrator' });
}

/** The user's tags (an array since RabbitMQ 3.9, a comma-separated string before), or undefined when there is no such user. */
async function userTags(api: Api, user: string): Promise<string[] | undefined> {
  const { status, json } = await api('GET', `/users/${encodeURIComponent(user)}`);
  if (status === 404) return undefined;
  const tags = (json as { tags?: string[] | string }).tags ?? [];
  return Array.isArray(tags) ? tags : tags.split(',').filter(Boolean);
}

/** Refuses, before changing anything, when a learner's user name is taken by someone else's user. */
export async function checkRabbitmqUsers(admin: Endpoints['rabbitmq'], learners: readonly Learner[]): Promise<void> {
  const api = managementApiOf(admin);
  for (const learner of learners) {
    const tags = await userTags(api, learner.slug);
    if (tags && !tags.includes(WORKSHOP_TAG)) {
      throw new UsageError(
        `RabbitMQ already has a user "${learner.slug}" that brokerlab did not create; give this learner another name in the roster's learner column`,
      );
    }
  }
}

/** Creates (or updates: same result every time) each learner's vhost, user and permissions. */
export async function provisionRabbitmq(admin: Endpoints['rabbitmq'], accounts: readonly Account[], signal?: AbortSignal): Promise<void> {
  const api = managementApiOf(admin);
  for (const { learner, password } of accounts) {
    throwIfInterrupted(signal);
    // The user first: createVhost gives it its permissions on the vhost, and RabbitMQ sets
    // permissions only for a user that exists.
    await api('PUT', `/users/${encodeURIComponent(learner.slug)}`, { password, tags: `management,${WORKSHOP_TAG}` });
    await createVhost(api, namespaceOf(learner.slug), learner.slug, `brokerlab workshop: ${learner.name ?? learner.slug}`);
  }
}

/** Deletes each learner's vhost (and with it every queue and exchange in it) and user. Returns what it removed. */
export async function teardownRabbitmq(admin: Endpoints['rabbitmq'], learners: readonly Learner[], signal?: AbortSignal): Promise<string[]> {
  const api = managementApiOf(admin);
  const removed: string[] = [];
  for (const learner of learners) {
    throwIfInterrupted(signal);
    const vhost = namespaceOf(learner.slug);
    if (await deleteVhost(api, vhost)) removed.push(`rabbitmq vhost ${vhost}`);
    const tags = await userTags(api, learner.slug);
    if (tags?.includes(WORKSHOP_TAG)) {
      await api('DELETE', `/users/${encodeURIComponent(learner.slug)}`);
      removed.push(`rabbitmq user ${learner.slug}`);
    }
  }
  return removed;
}
