/**
 * Given code for this exercise: where things are, the order format, and clients for SNS and
 * for the SQS queues it delivers to. You don't need to change this file.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** An order event, as it arrives on ORDER_INBOX_URL (the message body, JSON). */
export interface Order {
  orderId: string;
  customer: string;
  /** ISO country code: "DE", "US"... */
  country: string;
  /** "eu", "us" or "apac". */
  region: string;
  /** In `currency`; may have decimals (99.5). */
  amount: number;
  currency: string;
  /** "physical" (something to ship) or "digital". */
  fulfilment: string;
}

/** Where things are: the lab sets these for every run. */
export const config = {
  /** SNS and the queues it delivers to share one endpoint (moto serves both). */
  endpoint: process.env.SNS_ENDPOINT ?? 'http://127.0.0.1:9326',
  region: process.env.AWS_REGION ?? 'us-east-1',
  /** The orders to publish, one per message. Created by the lab. */
  orderInboxUrl: process.env.ORDER_INBOX_URL ?? 'http://127.0.0.1:9326/123456789012/order-inbox',
  /** The topic you create and publish to. */
  topicName: process.env.ORDER_TOPIC_NAME ?? 'order-events',
  /** The queues you create and subscribe. */
  billingQueueName: process.env.BILLING_QUEUE_NAME ?? 'billing',
  euShippingQueueName: process.env.EU_SHIPPING_QUEUE_NAME ?? 'eu-shipping',
  auditQueueName: process.env.AUDIT_QUEUE_NAME ?? 'audit',
};

const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'brokerlab', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'brokerlab' };

/** An SNS client for the lab's SNS (moto takes any credentials; the lab sets dummy ones). */
export function snsClient(): SNSClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new SNSClient({ endpoint: config.endpoint, region: config.region, credentials });
}

/** An SQS client for the queues SNS delivers to (on the same endpoint as SNS). */
export function sqsClient(): SQSClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new SQSClient({ endpoint: config.endpoint, region: config.region, credentials });
}
