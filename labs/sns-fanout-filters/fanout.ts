/**
 * Your program: create the order-events topic and its three queues, subscribe each queue
 * with its filter policy and delivery format, then publish every order of ORDER_INBOX_URL to
 * the topic with its message attributes. Read README.md first: the table is there.
 */
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type Order, config, snsClient, sqsClient } from './aws.js';

const sns = snsClient();
const sqs = sqsClient();
process.on('SIGTERM', () => process.exit(0));

const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: config.topicName }));

/** Creates a queue (or finds it: CreateQueue is idempotent) and returns its URL and ARN. */
async function createQueue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes.QueueArn ?? '' };
}

const audit = await createQueue(config.auditQueueName);
// TODO: the billing and eu-shipping queues, a queue policy that lets the topic send to each,
// and each subscription's attributes (FilterPolicy, RawMessageDelivery) as the table says.
await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: audit.arn }));

for (;;) {
  const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.orderInboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
  for (const message of messages) {
    const order = JSON.parse(message.Body ?? '{}') as Order;
    // TODO: the message attributes the filter policies look at.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message.Body ?? '' }));
    console.log('published', order.orderId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: config.orderInboxUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}
