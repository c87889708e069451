/**
 * Given code for this exercise: where things are, the job format, an SQS client, and the call
 * to the lab's billing API. You don't need to change this file.
 */
import { SQSClient } from '@aws-sdk/client-sqs';

/** An invoice job, as it arrives on INVOICE_QUEUE_URL (the message body, JSON). */
export interface InvoiceJob {
  invoiceId: string;
  customer: string;
  amountCents: number;
}

export type BillResult = { ok: true } | { ok: false; status: number; error: string };

/** Where things are: the lab sets these for every run. */
export const config = {
  sqsEndpoint: process.env.SQS_ENDPOINT ?? 'http://127.0.0.1:9324',
  region: process.env.AWS_REGION ?? 'us-east-1',
  /** The jobs. Created by the lab with a 1 s visibility timeout and a redrive policy. */
  invoiceQueueUrl: process.env.INVOICE_QUEUE_URL ?? 'http://127.0.0.1:9324/000000000000/invoices',
  /** Where SQS moves a job received MAX_RECEIVE_COUNT times and never deleted. */
  invoiceDlqUrl: process.env.INVOICE_DLQ_URL ?? 'http://127.0.0.1:9324/000000000000/invoices-dlq',
  maxReceiveCount: Number(process.env.MAX_RECEIVE_COUNT ?? 3),
  billingApiUrl: process.env.BILLING_API_URL ?? 'http://127.0.0.1:8080',
  /** This copy's number (1 or 2): sent with every call so the lab can tell the copies apart. */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** An SQS client for the lab's SQS (ElasticMQ takes any credentials; the lab sets dummy ones). */
export function sqsClient(): SQSClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new SQSClient({
    endpoint: config.sqsEndpoint,
    region: config.region,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'brokerlab', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'brokerlab' },
  });
}

/** Bills one invoice: one call to the billing API. 200 means billed; 503 means busy (try
 *  again later); 500 means this invoice can never be billed. Usually answers in a few
 *  tens of milliseconds, but some invoices take up to 3 seconds. Never throws. */
export async function bill(job: InvoiceJob): Promise<BillResult> {
  try {
    const response = await fetch(`${config.billingApiUrl}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify(job),
    });
    if (response.ok) return { ok: true };
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, status: response.status, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: 0, error: String(error) };
  }
}
