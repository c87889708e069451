/**
 * WRONG: relies on the queue's own visibility timeout (1 s), shorter than a slow invoice (3 s): the job comes back mid-work and the other worker bills it too.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type InvoiceJob, bill, config, sqsClient } from '../../../labs/sqs-visibility-dlq/billing.js';

const sqs = sqsClient();
let running = true;
process.on('SIGTERM', () => {
  running = false;
  sqs.destroy();
  process.exit(0);
});

while (running) {
  const { Messages: messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: config.invoiceQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }),
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
