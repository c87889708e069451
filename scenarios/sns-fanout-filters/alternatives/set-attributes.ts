/**
 * Alternative: subscribes each queue first, then sets its attributes with
 * SetSubscriptionAttributes; the message attributes are built from a table of
 * name -> DataType; each receive's orders are published in one PublishBatch, and deleted from
 * the inbox in one DeleteMessageBatch once SNS took them all.
 */
import { CreateTopicCommand, PublishBatchCommand, type MessageAttributeValue, SetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type Order, config, snsClient, sqsClient } from '../../../labs/sns-fanout-filters/aws.js';

const sns = snsClient();
const sqs = sqsClient();
process.on('SIGTERM', () => process.exit(0));

/** The attributes every order is published with, each the order's field of that name. */
const ATTRIBUTES: Record<string, 'String' | 'Number'> = { region: 'String', amount: 'Number', fulfilment: 'String' };

const TABLE: Array<{ queue: string; filterPolicy?: object; raw: boolean }> = [
  { queue: config.billingQueueName, filterPolicy: { amount: [{ numeric: ['>=', 100] }] }, raw: false },
  { queue: config.euShippingQueueName, filterPolicy: { region: ['eu'], fulfilment: [{ 'anything-but': 'digital' }] }, raw: true },
  { queue: config.auditQueueName, raw: true },
];

const { TopicArn: topicArn = '' } = await sns.send(new CreateTopicCommand({ Name: config.topicName }));
for (const row of TABLE) {
  const { QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: row.queue }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes.QueueArn ?? '';
  const statement = { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) } }));
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, ReturnSubscriptionArn: true }));
  const set = (AttributeName: string, AttributeValue: string) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName, AttributeValue }));
  if (row.filterPolicy) await set('FilterPolicy', JSON.stringify(row.filterPolicy));
  await set('RawMessageDelivery', String(row.raw));
}

function attributesOf(order: Order): Record<string, MessageAttributeValue> {
  const fields = order as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(ATTRIBUTES).map(([name, DataType]) => [name, { DataType, StringValue: String(fields[name]) }]));
}

for (;;) {
  const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.orderInboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
  if (messages.length === 0) continue;
  const entries = messages.map((m, i) => ({ Id: String(i), Message: m.Body ?? '', MessageAttributes: attributesOf(JSON.parse(m.Body ?? '{}') as Order) }));
  const { Failed = [] } = await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
  const failed = new Set(Failed.map((f) => f.Id));
  const done = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })).filter((e) => !failed.has(e.Id));
  if (done.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: config.orderInboxUrl, Entries: done }));
}
