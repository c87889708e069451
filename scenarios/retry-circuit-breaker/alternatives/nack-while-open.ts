/**
 * Alternative: no job waits in this process while the circuit is open. The breaker answers
 * at once (go, or how long to wait); a job it refuses goes back to the queue once that time
 * has passed (nack with requeue), and starts its backoff afresh when it comes back, as the
 * README allows after an open circuit. Failures while the circuit is closed are retried in
 * process, with equal-jitter backoff. The breaker is a plain closure over its state.
 */
import amqp from 'amqplib';
import { type Invoice, config, sendInvoice, sleep } from '../../../labs/retry-circuit-breaker/partner.js';

type Decision = { go: true; trial: boolean } | { go: false; retryInMs: number };

function circuitBreaker(threshold: number, coolDownMs: number) {
  let openedAt: number | undefined; // undefined: closed
  let inARow = 0;
  let trialOut = false;
  return {
    ask(): Decision {
      if (openedAt === undefined) return { go: true, trial: false };
      const left = openedAt + coolDownMs - Date.now();
      if (left > 0) return { go: false, retryInMs: left };
      if (trialOut) return { go: false, retryInMs: 100 };
      trialOut = true;
      return { go: true, trial: true };
    },
    answer(decision: { trial: boolean }, ok: boolean): void {
      if (decision.trial) {
        trialOut = false;
        openedAt = ok ? undefined : Date.now();
        inARow = 0;
        return;
      }
      if (openedAt !== undefined) return; // sent before it opened: changes nothing
      inARow = ok ? 0 : inARow + 1;
      if (inARow >= threshold) openedAt = Date.now();
    },
  };
}

const breaker = circuitBreaker(config.failureThreshold, config.coolDownMs);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.concurrency);

await channel.consume(config.invoiceQueue, async (message) => {
  if (message === null) return;
  const invoice = JSON.parse(message.content.toString()) as Invoice;
  for (let k = 1; ; k += 1) {
    const decision = breaker.ask();
    if (!decision.go) {
      // Back to the queue once the circuit may let calls through again.
      setTimeout(() => channel.nack(message, false, true), decision.retryInMs);
      return;
    }
    const result = await sendInvoice(invoice);
    breaker.answer(decision, result.ok);
    if (result.ok) {
      channel.ack(message);
      return;
    }
    const cap = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (k - 1));
    await sleep(cap / 2 + Math.random() * (cap / 2));
  }
});
