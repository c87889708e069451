/**
 * Wrong: each invoice is acked as soon as it arrives ("we retry it in memory anyway"), then
 * retried with a correct backoff and breaker. While the program is alive nothing shows; when
 * it dies mid-retry (the lab kills it during a flaky invoice's second attempt and starts it
 * again), the broker has already forgotten the invoices it held: they are never sent.
 */
import amqp from 'amqplib';
import { type Invoice, config, sendInvoice, sleep } from '../../../labs/retry-circuit-breaker/partner.js';

type State = 'closed' | 'open' | 'half-open';
interface Permit {
  trial: boolean;
}

class CircuitBreaker {
  private state: State = 'closed';
  private failuresInARow = 0;
  private openedAt = 0;
  private trialOut = false;
  /** Jobs waiting for the trial's answer. */
  private waiting: Array<() => void> = [];

  constructor(
    private readonly threshold: number,
    private readonly coolDownMs: number,
  ) {}

  /** Resolves when a call may go out now. */
  async permit(): Promise<Permit> {
    for (;;) {
      if (this.state === 'closed') return { trial: false };
      if (this.state === 'open') {
        const left = this.openedAt + this.coolDownMs - Date.now();
        if (left > 0) {
          await sleep(left);
          continue;
        }
        this.state = 'half-open';
        this.trialOut = false;
      }
      if (!this.trialOut) {
        this.trialOut = true;
        return { trial: true };
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** The answer to a call made with `permit`. */
  record(permit: Permit, ok: boolean): void {
    if (permit.trial) {
      if (ok) this.close();
      else this.open();
    } else if (this.state === 'closed') {
      this.failuresInARow = ok ? 0 : this.failuresInARow + 1;
      if (this.failuresInARow >= this.threshold) this.open();
    }
  }

  private open(): void {
    this.state = 'open';
    this.openedAt = Date.now();
    this.wakeAll();
  }

  private close(): void {
    this.state = 'closed';
    this.failuresInARow = 0;
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

/** The k-th retry's wait: between half and all of min(max, base * 2^(k-1)) ("equal jitter"). */
function backoff(k: number): number {
  const cap = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (k - 1));
  return cap / 2 + Math.random() * (cap / 2);
}

const breaker = new CircuitBreaker(config.failureThreshold, config.coolDownMs);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.concurrency);

await channel.consume(config.invoiceQueue, async (message) => {
  if (message === null) return;
  const invoice = JSON.parse(message.content.toString()) as Invoice;
  channel.ack(message); // taken off the queue at once: the retries below happen in memory
  for (let failures = 0; ; ) {
    const permit = await breaker.permit();
    const result = await sendInvoice(invoice);
    breaker.record(permit, result.ok);
    if (result.ok) break;
    failures += 1;
    await sleep(backoff(failures));
  }
});
