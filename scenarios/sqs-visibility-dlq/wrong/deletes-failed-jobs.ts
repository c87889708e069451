/**
 * WRONG: deletes every job of the batch, billed or not: a failed one never comes back.
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
  const billed: { Id: string; ReceiptHandle: string }[] = [];
  for (const [i, message] of messages.entries()) {
    const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
    const result = await bill(job);
    // Handled either way: delete it with the batch.
    if (!result.ok) console.error(`${job.invoiceId}: ${result.status} ${result.error}`);
    billed.push({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' });
  }
  if (billed.length > 0) {
    const { Failed: failed = [] } = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: config.invoiceQueueUrl, Entries: billed }));
    for (const f of failed) console.error(`delete ${f.Id} failed: ${f.Code} ${f.Message}`);
  }
}
