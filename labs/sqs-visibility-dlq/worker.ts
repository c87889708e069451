/**
 * Your worker: take invoice jobs from INVOICE_QUEUE_URL, bill each one, and delete it from
 * the queue once billed. Read README.md first: two copies of this program run at once.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type InvoiceJob, bill, config, sqsClient } from './billing.js';

const sqs = sqsClient();

for (;;) {
  // TODO: long polling (WaitTimeSeconds), a visibility timeout longer than your work,
  // several jobs per receive (MaxNumberOfMessages).
  const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.invoiceQueueUrl }));
  for (const message of messages) {
    const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
    console.log('received', job.invoiceId);
    // TODO: bill(job); delete the jobs that were billed (DeleteMessageBatch); give a failed
    // one back so that SQS counts its receives and redrives it to the DLQ.
    void bill;
  }
}
