/**
 * A namespace in Pub/Sub: every topic and subscription of the lab's project whose name starts
 * with the run's namespace ("bl-2026120307452879oe-orders"). Pub/Sub has no folders: a name
 * prefix is the namespace. A subscription is the run's when its own name is under the prefix
 * or its topic's is (deleting a topic leaves its subscriptions behind, detached, in Pub/Sub).
 */
import type { PubSub } from '@google-cloud/pubsub';
import { connectPubsub } from '../brokers/pubsub.js';
import type { Endpoints } from '../brokers/types.js';

export { connectPubsub };

/** The short name of "projects/<p>/topics/<name>" or ".../subscriptions/<name>". */
export function shortNameOf(resource: string): string {
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** Topic and subscription names under `prefix`, short. */
export async function pubsubNamesMatching(client: PubSub, prefix: string): Promise<{ topics: string[]; subscriptions: string[] }> {
  const [topics] = await client.getTopics();
  const [subscriptions] = await client.getSubscriptions();
  return {
    topics: topics.map((t) => shortNameOf(t.name)).filter((name) => name.startsWith(prefix)),
    subscriptions: subscriptions
      .filter((s) => shortNameOf(s.name).startsWith(prefix) || shortNameOf(s.metadata?.topic ?? '').startsWith(prefix))
      .map((s) => shortNameOf(s.name)),
  };
}

/** Deletes the subscriptions, then the topics, named under `prefix`; returns what it deleted. */
export async function deletePubsubNamespace(client: PubSub, prefix: string): Promise<string[]> {
  const { topics, subscriptions } = await pubsubNamesMatching(client, prefix);
  const deleted: string[] = [];
  for (const name of subscriptions) {
    await client.subscription(name).delete();
    deleted.push(`subscription ${name}`);
  }
  for (const name of topics) {
    await client.topic(name).delete();
    deleted.push(`topic ${name}`);
  }
  return deleted;
}

/** The variables a learner's program gets: what every Pub/Sub client library reads. */
export function pubsubLearnerEnv(endpoint: Endpoints['pubsub']): Record<string, string> {
  return {
    PUBSUB_EMULATOR_HOST: endpoint.emulatorHost,
    PUBSUB_PROJECT_ID: endpoint.projectId,
    GOOGLE_CLOUD_PROJECT: endpoint.projectId,
    // The Node and Python libraries ask Google's metadata server whether they run on Google
    // Cloud, and warn when it does not answer; a lab never does.
    METADATA_SERVER_DETECTION: 'none',
  };
}
