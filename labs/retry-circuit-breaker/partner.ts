/**
 * Given code for this exercise: where things are, the numbers your retries and your circuit
 * breaker must keep, the invoice format, and the call to the billing partner's API. You don't
 * need to change this file.
 */

/** An invoice to send, as it arrives on INVOICE_QUEUE (JSON body; its messageId is the invoiceId). */
export interface Invoice {
  invoiceId: string;
  customer: string;
  amountCents: number;
}

export type SendResult = { ok: true } | { ok: false; status: number; error: string };

/** Where things are, and the numbers: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  invoiceQueue: process.env.INVOICE_QUEUE ?? 'invoices',
  partnerApiUrl: process.env.PARTNER_API_URL ?? 'http://127.0.0.1:8080',
  /** The k-th retry of a job waits a random time between half and all of
   *  min(maxDelayMs, baseDelayMs * 2^(k-1)) ms. */
  baseDelayMs: Number(process.env.BASE_DELAY_MS ?? 100),
  maxDelayMs: Number(process.env.MAX_DELAY_MS ?? 800),
  /** After this many failed calls in a row (any jobs), the circuit opens... */
  failureThreshold: Number(process.env.FAILURE_THRESHOLD ?? 5),
  /** ...and no call goes out for this long; then one trial call. */
  coolDownMs: Number(process.env.COOL_DOWN_MS ?? 1500),
  /** Work on this many invoices at once (the channel's prefetch). */
  concurrency: Number(process.env.CONCURRENCY ?? 4),
};

/** Sends one invoice: one call to the partner's API. `ok` means accepted; anything else
 *  failed, including no answer at all (status 0: the connection was refused or reset, or
 *  no answer within 5 s). Never throws. */
export async function sendInvoice(invoice: Invoice): Promise<SendResult> {
  try {
    const response = await fetch(`${config.partnerApiUrl}/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(invoice),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.ok) return { ok: true };
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, status: response.status, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: 0, error: String(error) };
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
