/**
 * WRONG: moves a job to the DLQ itself on its first 500, without the MAX_RECEIVE_COUNT tries the redrive policy would give it.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
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
    } else if (result.status === 500) {
      // 500: it will never work, straight to the DLQ.
      await sqs.send(new SendMessageCommand({ QueueUrl: config.invoiceDlqUrl, MessageBody: message.Body ?? '' }));
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
