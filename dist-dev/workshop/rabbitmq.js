import { UsageError } from '../errors.js';
import { deleteVhost, managementApi } from '../namespaces/rabbitmq.js';
import { namespaceOf } from './roster.js';
/** Marks users created by `brokerlab workshop provision`. */
export const WORKSHOP_TAG = 'brokerlab-workshop';
function managementApiOf(admin) {
    return managementApi(admin, { timeoutMs: 15_000, refusedHint: 'BROKERLAB_AMQP_URL must log in as an administrator' });
}
/** The user's tags (an array since RabbitMQ 3.9, a comma-separated string before), or undefined when there is no such user. */
async function userTags(api, user) {
    const { status, json } = await api('GET', `/users/${encodeURIComponent(user)}`);
    if (status === 404)
        return undefined;
    const tags = json.tags ?? [];
    return Array.isArray(tags) ? tags : tags.split(',').filter(Boolean);
}
/** Refuses, before changing anything, when a learner's user name is taken by someone else's user. */
export async function checkRabbitmqUsers(admin, learners) {
    const api = managementApiOf(admin);
    for (const learner of learners) {
        const tags = await userTags(api, learner.slug);
        if (tags && !tags.includes(WORKSHOP_TAG)) {
            throw new UsageError(`RabbitMQ already has a user "${learner.slug}" that brokerlab did not create; give this learner another name in the roster's learner column`);
        }
    }
}
/** Creates (or updates: same result every time) each learner's vhost, user and permissions. */
export async function provisionRabbitmq(admin, accounts) {
    const api = managementApiOf(admin);
    for (const { learner, password } of accounts) {
        const vhost = encodeURIComponent(namespaceOf(learner.slug));
        const user = encodeURIComponent(learner.slug);
        await api('PUT', `/vhosts/${vhost}`, { description: `brokerlab workshop: ${learner.name ?? learner.slug}` });
        await api('PUT', `/users/${user}`, { password, tags: `management,${WORKSHOP_TAG}` });
        await api('PUT', `/permissions/${vhost}/${user}`, { configure: '.*', write: '.*', read: '.*' });
    }
}
/** Deletes each learner's vhost (and with it every queue and exchange in it) and user. Returns what it removed. */
export async function teardownRabbitmq(admin, learners) {
    const api = managementApiOf(admin);
    const removed = [];
    for (const learner of learners) {
        const vhost = namespaceOf(learner.slug);
        if (await deleteVhost(api, vhost))
            removed.push(`rabbitmq vhost ${vhost}`);
        const tags = await userTags(api, learner.slug);
        if (tags?.includes(WORKSHOP_TAG)) {
            await api('DELETE', `/users/${encodeURIComponent(learner.slug)}`);
            removed.push(`rabbitmq user ${learner.slug}`);
        }
    }
    return removed;
}
//# sourceMappingURL=rabbitmq.js.map