/**
 * A namespace in SNS (moto): every topic, and every queue on moto's own SQS, whose name starts
 * with the run's namespace ("bl-2026120307452879oe-order-events"), and the subscriptions of
 * those topics. Like SQS, SNS has no folders: a name prefix is the namespace. Deleting a topic
 * deletes its subscriptions, but a subscription of another topic to one of the run's queues
 * is the run's too, so subscriptions are matched by topic or by endpoint.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Endpoints } from '../brokers/types.js';
import { connectSqs, deleteQueues, queueNameOf, queuesMatching } from './sqs.js';
import { labAwsClientConfig } from '../brokers/aws.js';

/** SNS and the SQS that moto serves on the same port: a topic delivers only to moto's queues. */
export interface SnsClients {
  sns: SNSClient;
  sqs: SQSClient;
}

/** Clients for the lab's own requests. */
export async function connectSns(endpoint: Endpoints['sns']): Promise<SnsClients> {
  const { SNSClient } = await import('@aws-sdk/client-sns');
  return { sns: new SNSClient(labAwsClientConfig(endpoint, 3)), sqs: await connectSqs(endpoint) };
}

export function closeSns(clients: SnsClients): void {
  clients.sns.destroy();
  clients.sqs.destroy();
}

/** A topic's name: the last part of its ARN ("arn:aws:sns:us-east-1:123456789012:<name>"). */
export function topicNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/** The ARNs of the topics whose names start with `prefix`. */
export async function topicsMatching(sns: SNSClient, prefix: string): Promise<string[]> {
  const { ListTopicsCommand } = await import('@aws-sdk/client-sns');
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand(token ? { NextToken: token } : {}));
    arns.push(...(page.Topics ?? []).map((t) => t.TopicArn ?? '').filter((arn) => topicNameOf(arn).startsWith(prefix)));
    token = page.NextToken;
  } while (token);
  return arns;
}

/** The ARNs of the subscriptions whose topic or endpoint (a queue's ARN) is named under `prefix`. */
export async function subscriptionsMatching(sns: SNSClient, prefix: string): Promise<string[]> {
  const { ListSubscriptionsCommand } = await import('@aws-sdk/client-sns');
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsCommand(token ? { NextToken: token } : {}));
    for (const s of page.Subscriptions ?? []) {
      const ours = topicNameOf(s.TopicArn ?? '').startsWith(prefix) || topicNameOf(s.Endpoint ?? '').startsWith(prefix);
      if (ours && s.SubscriptionArn) arns.push(s.SubscriptionArn);
    }
    token = page.NextToken;
  } while (token);
  return arns;
}

/** Deletes the subscriptions, topics and moto-side queues named under `prefix`; returns what it deleted. */
export async function deleteSnsNamespace(clients: SnsClients, prefix: string): Promise<string[]> {
  const { DeleteTopicCommand, UnsubscribeCommand } = await import('@aws-sdk/client-sns');
  const deleted: string[] = [];
  for (const arn of await subscriptionsMatching(clients.sns, prefix)) {
    await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    deleted.push(`subscription ${arn}`);
  }
  for (const arn of await topicsMatching(clients.sns, prefix)) {
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    deleted.push(`topic ${topicNameOf(arn)}`);
  }
  deleted.push(...(await deleteQueues(clients.sqs, prefix)).map((q) => `queue ${q}`));
  return deleted;
}

/** Every topic and queue name under `prefix` in moto (subscriptions go with their topic). */
export async function snsNamesMatching(clients: SnsClients, prefix: string): Promise<{ topics: string[]; queues: string[] }> {
  return {
    topics: (await topicsMatching(clients.sns, prefix)).map(topicNameOf),
    queues: (await queuesMatching(clients.sqs, prefix)).map(queueNameOf),
  };
}
