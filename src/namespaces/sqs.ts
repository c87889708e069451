/**
 * A namespace in SQS (ElasticMQ): every queue whose name starts with the run's namespace
 * ("bl-2026120307452879oe-jobs"). SQS has no folders nor vhosts; a name prefix is what
 * ListQueues can filter on (QueueNamePrefix), so that is the namespace.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Endpoints } from '../brokers/types.js';
import { labAwsClientConfig } from '../brokers/aws.js';

/** A client for the lab's own requests. ElasticMQ accepts any credentials; real ones from the
 *  environment win for a real SQS. */
export async function connectSqs(endpoint: Endpoints['sqs']): Promise<SQSClient> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient(labAwsClientConfig(endpoint, 3));
}

/** The URLs of the queues whose names start with `prefix` ("bl-"). */
export async function queuesMatching(client: SQSClient, prefix: string): Promise<string[]> {
  const { ListQueuesCommand } = await import('@aws-sdk/client-sqs');
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  return urls;
}

/** A queue's name: the last part of its URL. */
export function queueNameOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** Deletes every queue whose name starts with `prefix`; returns their names. */
export async function deleteQueues(client: SQSClient, prefix: string): Promise<string[]> {
  const { DeleteQueueCommand } = await import('@aws-sdk/client-sqs');
  const deleted: string[] = [];
  for (const url of await queuesMatching(client, prefix)) {
    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
    deleted.push(queueNameOf(url));
  }
  return deleted;
}
