/**
 * Wrong: publishes JSON.stringify(message.Body) ("the Message must be JSON"), but the inbox
 * body already is the order's JSON: every queue gets a JSON string literal, "{\"orderId\"...}",
 * not the order.
 */
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type Order, config, snsClient, sqsClient } from '../../../labs/sns-fanout-filters/aws.js';

const sns = snsClient();
const sqs = sqsClient();
process.on('SIGTERM', () => process.exit(0));

const { TopicArn: topicArn = '' } = await sns.send(new CreateTopicCommand({ Name: config.topicName }));

/** The queue (created or found), allowed to receive from the topic, subscribed with `attributes`. */
async function subscribeQueue(name: string, attributes: Record<string, string>): Promise<void> {
  const { QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes.QueueArn ?? '';
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }));
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes }));
}

await subscribeQueue(config.billingQueueName, { FilterPolicy: JSON.stringify({ amount: [{ numeric: ['>=', 100] }] }) });
await subscribeQueue(config.euShippingQueueName, {
  FilterPolicy: JSON.stringify({ region: ['eu'], fulfilment: [{ 'anything-but': ['digital'] }] }),
  RawMessageDelivery: 'true',
});
await subscribeQueue(config.auditQueueName, { RawMessageDelivery: 'true' });

for (;;) {
  const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.orderInboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
  for (const message of messages) {
    const order = JSON.parse(message.Body ?? '{}') as Order;
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        // "the Message must be JSON": but the body already is, so this encodes it a second time
        Message: JSON.stringify(message.Body ?? ''),
        MessageAttributes: {
          region: { DataType: 'String', StringValue: order.region },
          amount: { DataType: 'Number', StringValue: String(order.amount) },
          fulfilment: { DataType: 'String', StringValue: order.fulfilment },
        },
      }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: config.orderInboxUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}
