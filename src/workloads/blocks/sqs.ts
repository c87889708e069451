/**
 * SQS (ElasticMQ) for one run: a client for the lab's own requests, the run's queues named
 * "<namespace>-<name>" (SQS queue names allow letters, digits, "-" and "_", no dots), and at
 * cleanup, always (also on Ctrl-C), every queue under the run's prefix deleted, whoever
 * created it. The program gets the endpoint, a region and dummy credentials (ElasticMQ takes
 * any), as the AWS SDKs read them from the environment.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { connectSqs, deleteQueues } from '../../namespaces/sqs.js';
import type { WorkloadContext } from '../types.js';

type Sdk = typeof import('@aws-sdk/client-sqs');

export interface SqsRun {
  client: SQSClient;
  sdk: Sdk;
  /** The run's prefix: every queue of the run starts with it. */
  prefix: string;
  /** "<prefix>-<suffix>": a queue name of this run. */
  name(suffix: string): string;
  /** Creates a queue of this run with these attributes; returns its URL. */
  createQueue(suffix: string, attributes?: Record<string, string>): Promise<string>;
  /** A queue's ARN (what a RedrivePolicy names). */
  arnOf(url: string): Promise<string>;
  /** ApproximateNumberOfMessages (visible) and ...NotVisible (received, not deleted). */
  counts(url: string): Promise<{ visible: number; inFlight: number }>;
  /** Receives every message left in a queue (after the program stopped), with its attributes. */
  takeAll(url: string): Promise<Message[]>;
  /** The environment an AWS SDK (JavaScript, boto3, Go...) reads: endpoint, region, dummy keys. */
  env: Record<string, string>;
}

export async function openSqs(ctx: WorkloadContext): Promise<SqsRun> {
  const endpoint = ctx.endpoints.sqs;
  if (!endpoint) throw new Error('sqs endpoint missing');
  const sdk: Sdk = await import('@aws-sdk/client-sqs');
  const client = await connectSqs(endpoint);
  // Inside the learner's prefix in shared mode; "-" because queue names take no "." nor ":".
  const prefix = ctx.shared ? `${ctx.shared.prefix}-${ctx.namespace}` : ctx.namespace;
  // Cleanups run in reverse: the queues are deleted, then the client closed.
  ctx.defer(() => client.destroy());
  ctx.defer(async () => {
    await deleteQueues(client, prefix);
  });
  const name = (suffix: string) => `${prefix}-${suffix}`;
  return {
    client,
    sdk,
    prefix,
    name,
    async createQueue(suffix, attributes = {}) {
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: name(suffix), Attributes: attributes }));
      if (!QueueUrl) throw new Error(`CreateQueue ${name(suffix)} returned no URL`);
      return QueueUrl;
    },
    async arnOf(url) {
      const { Attributes } = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.QueueArn;
      if (!arn) throw new Error(`no QueueArn for ${url}`);
      return arn;
    },
    async counts(url) {
      const { Attributes = {} } = await client.send(
        new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
    },
    async takeAll(url) {
      const all: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) return all;
        all.push(...Messages);
      }
    },
    env: {
      SQS_ENDPOINT: endpoint.endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint.endpoint,
      AWS_REGION: endpoint.region,
      AWS_DEFAULT_REGION: endpoint.region,
      AWS_ACCESS_KEY_ID: 'brokerlab',
      AWS_SECRET_ACCESS_KEY: 'brokerlab',
    },
  };
}
