/**
 * SQS (ElasticMQ here) with @aws-sdk/client-sqs: one queue per variant, sent with SendMessage
 * one at a time or SendMessageBatch of 10 (SQS's maximum); received by long polling, 10
 * messages per ReceiveMessage (also the maximum) and deleted with DeleteMessageBatch. Queues
 * are named "<namespace>-<variant>-<size>" and deleted at the end.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

type Sdk = typeof import('@aws-sdk/client-sqs');
import type { Endpoints } from '../brokers/types.js';
import type { BrokerBench, Pipe, Session, Variant } from './types.js';
import { labAwsClientConfig } from '../brokers/aws.js';

/** SendMessageBatch and ReceiveMessage take at most 10 messages. */
export const SQS_BATCH = 10;
/**
 * Receivers polling at once. One receiver alternates ReceiveMessage and DeleteMessageBatch,
 * two round trips per 10 messages, and would cap every variant at that; several keep the
 * queue drained, as several consumer threads would.
 */
const RECEIVERS = 4;
/** Long-poll wait; also bounds how long stop() takes. */
const WAIT_SECONDS = 1;

const VARIANTS = [
  { id: 'one-by-one', label: 'SendMessage, one message per request', batch: 1 },
  { id: `batch${SQS_BATCH}`, label: `SendMessageBatch, ${SQS_BATCH} messages per request`, batch: SQS_BATCH },
] as const satisfies readonly Variant[];

function client(sdk: Sdk, endpoint: Endpoints['sqs']): SQSClient {
  return new sdk.SQSClient(labAwsClientConfig(endpoint, 3));
}

export const sqsBench: BrokerBench<'sqs'> = {
  name: 'sqs',
  label: 'SQS (ElasticMQ)',
  client: '@aws-sdk/client-sqs',
  variants: VARIANTS,
  defaultMessages: 2_000,

  async open(endpoint, namespace): Promise<Session> {
    // Loaded when a bench runs, not at start-up: every brokerlab command imports this module.
    const sdk: Sdk = await import('@aws-sdk/client-sqs');
    const sqs = client(sdk, endpoint);
    let closed = false;
    return {
      async start(variant, size, onDelivered): Promise<Pipe> {
        const { QueueUrl: queueUrl } = await sqs.send(
          new sdk.CreateQueueCommand({ QueueName: `${namespace}-${variant.id}-${size}`, Attributes: { VisibilityTimeout: '60' } }),
        );
        if (!queueUrl) throw new Error('CreateQueue returned no queue URL');
        let receiving = onDelivered !== undefined;
        const receive = async (): Promise<void> => {
          while (receiving) {
            const { Messages: messages = [] } = await sqs.send(
              new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: SQS_BATCH, WaitTimeSeconds: WAIT_SECONDS }),
            );
            for (const message of messages) if (message.Body !== undefined) onDelivered?.(message.Body);
            if (messages.length > 0) {
              await sqs.send(
                new sdk.DeleteMessageBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
                }),
              );
            }
          }
        };
        // A receiver that fails shows up as lost messages.
        const receivers = onDelivered ? Array.from({ length: RECEIVERS }, () => receive().catch(() => {})) : [];
        return {
          async send(payloads) {
            if (payloads.length === 1) {
              await sqs.send(new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: payloads[0]!.toString('latin1') }));
              return;
            }
            const result = await sqs.send(
              new sdk.SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: payloads.map((payload, i) => ({ Id: String(i), MessageBody: payload.toString('latin1') })),
              }),
            );
            if (result.Failed && result.Failed.length > 0) throw new Error(`SendMessageBatch failed: ${result.Failed[0]?.Message ?? 'unknown'}`);
          },
          async flush() {},
          async stop() {
            receiving = false;
            await Promise.all(receivers);
          },
        };
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          const { QueueUrls: urls = [] } = await sqs.send(new sdk.ListQueuesCommand({ QueueNamePrefix: namespace }));
          for (const url of urls) await sqs.send(new sdk.DeleteQueueCommand({ QueueUrl: url }));
        } finally {
          sqs.destroy();
        }
      },
    };
  },
};
