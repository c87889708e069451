/**
 * WRONG: counts the receives itself and deletes a job on its last failed receive: the poison invoice is dropped instead of redriven to the DLQ.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type InvoiceJob, bill, config, sqsClient } from '../../../labs/sqs-visibility-dlq/billing.js';

const VISIBILITY_SECONDS = 10;
const sqs = sqsClient();
let running = true;
process.on('SIGTERM', () => {
  running = false;
  sqs.destroy();
  process.exit(0);
});

while (running) {
  const { Messages: messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: config.invoiceQueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'], MaxNumberOfMessages: 10, WaitTimeSeconds: 20, VisibilityTimeout: VISIBILITY_SECONDS }),
  );
  const billed: { Id: string; ReceiptHandle: string }[] = [];
  for (const [i, message] of messages.entries()) {
    const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
    const result = await bill(job);
    if (result.ok) {
      billed.push({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' });
    } else if (Number(message.Attributes?.ApproximateReceiveCount ?? 1) >= config.maxReceiveCount) {
      // Tried MAX_RECEIVE_COUNT times: give up on it.
      console.error(`${job.invoiceId}: giving up after ${config.maxReceiveCount} tries`);
      billed.push({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' });
    } else {
      console.error(`${job.invoiceId}: ${result.status} ${result.error}; giving it back for another receive`);
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: config.invoiceQueueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    }
  }
  if (billed.length > 0) {
    const { Failed: failed = [] } = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: config.invoiceQueueUrl, Entries: billed }));
    for (const f of failed) console.error(`delete ${f.Id} failed: ${f.Code} ${f.Message}`);
  }
}
