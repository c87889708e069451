/**
 * Given code for this exercise: where things are, the message format, the call to the lab's
 * FX API and the ledger line. You don't need to change this file.
 */

/** A payment as it arrives on PAYMENTS_QUEUE (JSON body). `paymentId` is its idempotency
 *  key: every copy of a payment carries the same one. */
export interface Payment {
  paymentId: string;
  account: string;
  amountCents: number;
  /** EUR, USD, GBP or CHF. */
  currency: string;
}

/** The FX API's answer: the amount in euro cents, under a quote id the ledger line names. */
export interface Quote {
  quoteId: string;
  eurCents: number;
}

export type QuoteResult = { ok: true; quote: Quote } | { ok: false; error: string };

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  paymentsQueue: process.env.PAYMENTS_QUEUE ?? 'payments',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Every key your program creates starts with this (the lab deletes them afterwards). */
  keyPrefix: process.env.KEY_PREFIX ?? 'idempotent-consumer:',
  /** The ledger: a Redis list, one JSON line per posted payment (see ledgerLine). */
  ledgerKey: process.env.LEDGER_KEY ?? 'idempotent-consumer:ledger',
  fxApiUrl: process.env.FX_API_URL ?? 'http://127.0.0.1:8080',
  /** This copy's number (1, 2): sent with every call so the lab can tell the copies apart. */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** Asks the FX API for a quote: one call, slow on purpose (up to a second). 200 means a
 *  quote; anything else failed (the API is busy now and then: 503, try again). Never throws. */
export async function getQuote(payment: Payment): Promise<QuoteResult> {
  try {
    const response = await fetch(`${config.fxApiUrl}/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify({ paymentId: payment.paymentId, amountCents: payment.amountCents, currency: payment.currency }),
    });
    const body = (await response.json().catch(() => ({}))) as { quoteId?: string; eurCents?: number; error?: string };
    if (response.ok && typeof body.quoteId === 'string' && typeof body.eurCents === 'number') return { ok: true, quote: { quoteId: body.quoteId, eurCents: body.eurCents } };
    return { ok: false, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

/** The ledger line for a payment posted with a quote: push it onto the list at LEDGER_KEY. */
export function ledgerLine(payment: Payment, quote: Quote): string {
  return JSON.stringify({ paymentId: payment.paymentId, account: payment.account, quoteId: quote.quoteId, eurCents: quote.eurCents });
}
