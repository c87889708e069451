/**
 * Week 8: retries with backoff and a circuit breaker. Read README.md in this folder first.
 * Grade this file with:  brokerlab check retry-circuit-breaker
 *
 * The lab puts invoices on INVOICE_QUEUE; send each one to the billing partner with
 * sendInvoice(). The partner fails now and then, and for a few seconds it goes down.
 */
import amqp from 'amqplib';
import { type Invoice, config, sendInvoice } from './partner.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.concurrency);

/**
 * TODO: a circuit breaker, one for the whole program. After config.failureThreshold failed
 * calls in a row it opens: no call at all for config.coolDownMs. Then it half-opens: exactly
 * one trial call; its success closes the circuit, its failure opens it again.
 */

/**
 * TODO: retry a failed call in this process, with exponential backoff and jitter: the k-th
 * retry waits a random time between half and all of min(config.maxDelayMs,
 * config.baseDelayMs * 2^(k-1)). Ask the breaker right before every call.
 */

await channel.consume(config.invoiceQueue, async (message) => {
  if (message === null) return;
  const invoice = JSON.parse(message.content.toString()) as Invoice;
  const result = await sendInvoice(invoice);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true); // failed: straight back to the queue, and again...
});
