/**
 * Wrong: a correct circuit breaker, and a jittered wait before each retry, but always the
 * same size: between BASE_DELAY_MS/2 and BASE_DELAY_MS, however often the job has failed.
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

/** A short random wait before a retry, so the jobs do not retry in step. */
function backoff(): number {
  return config.baseDelayMs / 2 + Math.random() * (config.baseDelayMs / 2);
}

const breaker = new CircuitBreaker(config.failureThreshold, config.coolDownMs);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.concurrency);

await channel.consume(config.invoiceQueue, async (message) => {
  if (message === null) return;
  const invoice = JSON.parse(message.content.toString()) as Invoice;
  for (let failures = 0; ; ) {
    const permit = await breaker.permit();
    const result = await sendInvoice(invoice);
    breaker.record(permit, result.ok);
    if (result.ok) break;
    failures += 1;
    await sleep(backoff());
  }
  channel.ack(message);
});
