/**
 * SNS (moto) for one run: clients for the lab's own requests (SNS, and the SQS moto serves on
 * the same port, where a topic's subscribed queues live), the run's names "<namespace>-<name>",
 * and at cleanup, always (also on Ctrl-C), every subscription, topic and moto-side queue under
 * the run's prefix deleted, whoever created it. The program gets the endpoint (for SNS and for
 * SQS), a region and dummy credentials, as the AWS SDKs read them from the environment.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { closeSns, connectSns, deleteSnsNamespace, topicNameOf } from '../../namespaces/sns.js';
import type { WorkloadContext } from '../types.js';

type SnsSdk = typeof import('@aws-sdk/client-sns');
type SqsSdk = typeof import('@aws-sdk/client-sqs');

/** A subscription as SNS holds it: its endpoint and the attributes that decide what it gets. */
export interface SubscriptionInfo {
  topicName: string;
  protocol: string;
  /** The subscribed queue's name (the last part of its ARN). */
  queueName: string;
  /** Attributes: FilterPolicy, FilterPolicyScope, RawMessageDelivery... */
  attributes: Record<string, string>;
}

export interface SnsRun {
  sns: SNSClient;
  sqs: SQSClient;
  snsSdk: SnsSdk;
  sqsSdk: SqsSdk;
  /** The run's prefix: every topic and queue of the run starts with it. */
  prefix: string;
  /** "<prefix>-<suffix>": a topic or queue name of this run. */
  name(suffix: string): string;
  /** Creates a queue of this run on moto's SQS; returns its URL. */
  createQueue(suffix: string, attributes?: Record<string, string>): Promise<string>;
  /** A queue's URL by its full name, or undefined if nobody created it. */
  queueUrl(name: string): Promise<string | undefined>;
  /** The ARN of the topic of that full name, or undefined if nobody created it. */
  topicArn(name: string): Promise<string | undefined>;
  /** Every subscription of the topic of that full name, with its attributes. */
  subscriptions(topicName: string): Promise<SubscriptionInfo[]>;
  /** ApproximateNumberOfMessages (visible) and ...NotVisible (received, not deleted). */
  counts(url: string): Promise<{ visible: number; inFlight: number }>;
  /** Receives every message left in a queue (after the program stopped), with its attributes. */
  takeAll(url: string): Promise<Message[]>;
  /** The environment an AWS SDK (JavaScript, boto3, Go...) reads: endpoints, region, dummy keys. */
  env: Record<string, string>;
}

export async function openSns(ctx: WorkloadContext): Promise<SnsRun> {
  const endpoint = ctx.endpoints.sns;
  if (!endpoint) throw new Error('sns endpoint missing');
  const snsSdk: SnsSdk = await import('@aws-sdk/client-sns');
  const sqsSdk: SqsSdk = await import('@aws-sdk/client-sqs');
  const clients = await connectSns(endpoint);
  const { sns, sqs } = clients;
  // As for SQS: inside the learner's prefix in shared mode; "-" because names take no "." nor ":".
  const prefix = ctx.shared ? `${ctx.shared.prefix}-${ctx.namespace}` : ctx.namespace;
  // Cleanups run in reverse: the namespace is deleted, then the clients closed.
  ctx.defer(() => closeSns(clients));
  ctx.defer(async () => {
    await deleteSnsNamespace(clients, prefix);
  });
  const name = (suffix: string) => `${prefix}-${suffix}`;
  const topicArn = async (topicName: string) => {
    let token: string | undefined;
    do {
      const page = await sns.send(new snsSdk.ListTopicsCommand(token ? { NextToken: token } : {}));
      const found = (page.Topics ?? []).find((t) => topicNameOf(t.TopicArn ?? '') === topicName);
      if (found?.TopicArn) return found.TopicArn;
      token = page.NextToken;
    } while (token);
    return undefined;
  };
  return {
    sns,
    sqs,
    snsSdk,
    sqsSdk,
    prefix,
    name,
    async createQueue(suffix, attributes = {}) {
      const { QueueUrl } = await sqs.send(new sqsSdk.CreateQueueCommand({ QueueName: name(suffix), Attributes: attributes }));
      if (!QueueUrl) throw new Error(`CreateQueue ${name(suffix)} returned no URL`);
      return QueueUrl;
    },
    async queueUrl(queueName) {
      try {
        return (await sqs.send(new sqsSdk.GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
      } catch {
        return undefined; // no such queue
      }
    },
    topicArn,
    async subscriptions(topicName) {
      const arn = await topicArn(topicName);
      if (!arn) return [];
      const found: SubscriptionInfo[] = [];
      let token: string | undefined;
      do {
        const page = await sns.send(new snsSdk.ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(token ? { NextToken: token } : {}) }));
        for (const s of page.Subscriptions ?? []) {
          const { Attributes = {} } = s.SubscriptionArn ? await sns.send(new snsSdk.GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn })) : {};
          found.push({ topicName, protocol: s.Protocol ?? '', queueName: topicNameOf(s.Endpoint ?? ''), attributes: Attributes });
        }
        token = page.NextToken;
      } while (token);
      return found;
    },
    async counts(url) {
      const { Attributes = {} } = await sqs.send(
        new sqsSdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
    },
    async takeAll(url) {
      const all: Message[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new sqsSdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) return all;
        all.push(...Messages);
      }
    },
    env: {
      SNS_ENDPOINT: endpoint.endpoint,
      AWS_ENDPOINT_URL_SNS: endpoint.endpoint,
      // The subscribed queues are moto's, on the same endpoint (not brokerlab's ElasticMQ).
      AWS_ENDPOINT_URL_SQS: endpoint.endpoint,
      AWS_REGION: endpoint.region,
      AWS_DEFAULT_REGION: endpoint.region,
      AWS_ACCESS_KEY_ID: 'brokerlab',
      AWS_SECRET_ACCESS_KEY: 'brokerlab',
    },
  };
}
