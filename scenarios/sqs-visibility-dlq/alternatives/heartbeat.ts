/**
 * Alternative: a short visibility timeout (2 s) kept alive by a heartbeat. Each received job
 * is billed concurrently with the rest of its batch; while its call runs, the job's
 * visibility is extended by another 2 s every second (ChangeMessageVisibility), so a slow
 * invoice stays hidden exactly as long as somebody works on it, and a worker that dies lets
 * its jobs come back within 2 s. Billed jobs are deleted one by one.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type InvoiceJob, bill, config, sqsClient } from '../../../labs/sqs-visibility-dlq/billing.js';

const LEASE_SECONDS = 2;
const sqs = sqsClient();
const QueueUrl = config.invoiceQueueUrl;
process.on('SIGTERM', () => process.exit(0));

function setVisibility(message: Message, seconds: number): Promise<unknown> {
  return sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));
}

async function handle(message: Message): Promise<void> {
  const job = JSON.parse(message.Body ?? '{}') as InvoiceJob;
  const heartbeat = setInterval(() => void setVisibility(message, LEASE_SECONDS).catch(() => {}), 1_000);
  try {
    const result = await bill(job);
    clearInterval(heartbeat);
    if (result.ok) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    else await setVisibility(message, 0);
  } finally {
    clearInterval(heartbeat);
  }
}

for (;;) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20, VisibilityTimeout: LEASE_SECONDS }));
  await Promise.all(Messages.map((m) => handle(m).catch((error: unknown) => console.error(`${m.MessageId}: ${String(error)}`))));
}
