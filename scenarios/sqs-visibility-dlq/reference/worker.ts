/**
 * Reference solution: long-poll up to 10 jobs at a time, hidden from the other workers for
 * 10 s (longer than any job, 3 s at most, and a batch takes less than that); bill them one
 * after another; delete the billed ones in one DeleteMessageBatch. A job whose call failed is
 * not deleted: it is made visible again at once (ChangeMessageVisibility 0), so SQS
 * counts one more receive when it comes back and, after MAX_RECEIVE_COUNT receives, moves it
 * to the DLQ by itself (the queue's redrive policy).
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
    new ReceiveMessageCommand({ QueueUrl: config.invoiceQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, VisibilityTimeout: VISIBILITY_SECONDS }),
  );
  const billed: { Id: string; ReceiptHandle: string }[] = [];
  for (const [i, message] of messages.entries()) {
    const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
    const result = await bill(job);
    if (result.ok) {
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
