/**
 * WRONG: deletes the whole batch as soon as it is received, then bills: a job whose call fails is gone (no retry, no DLQ).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
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
    new ReceiveMessageCommand({ QueueUrl: config.invoiceQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, VisibilityTimeout: VISIBILITY_SECONDS }),
  );
  // Out of the queue first, so no other worker gets them: then bill.
  if (messages.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: config.invoiceQueueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
  for (const message of messages) {
    const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
    const result = await bill(job);
    if (!result.ok) console.error(`${job.invoiceId}: ${result.status} ${result.error}`);
  }
}
