/**
 * Given code for this exercise: where things are, the message format, and the call to the
 * lab's ledger API. You don't need to change this file.
 */

/** The two guarantees; each copy of your program plays one (its ROLE). */
export type Role = 'at-most-once' | 'at-least-once';

/** A ledger entry as it arrives on either queue (JSON body; its messageId is the entryId). */
export interface Entry {
  entryId: string;
  account: string;
  amountCents: number;
}

export type WriteResult = { ok: true } | { ok: false; error: string };

/** Where things are: the lab sets these for every run (and each copy gets its own ROLE). */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  atMostOnceQueue: process.env.AT_MOST_ONCE_QUEUE ?? 'ledger.at-most-once',
  atLeastOnceQueue: process.env.AT_LEAST_ONCE_QUEUE ?? 'ledger.at-least-once',
  ledgerApiUrl: process.env.LEDGER_API_URL ?? 'http://127.0.0.1:8080',
  /** Which guarantee this copy gives: "at-most-once" or "at-least-once". */
  role: (process.env.ROLE ?? 'at-least-once') as Role,
  /** This copy's number (1, 2): sent with every call so the lab can tell the copies apart. */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** Writes the entry to the ledger: one call. 200 means written; anything else failed (the
 *  ledger is busy now and then: 503). Never throws. */
export async function writeEntry(entry: Entry, mode: Role): Promise<WriteResult> {
  try {
    const response = await fetch(`${config.ledgerApiUrl}/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify({ ...entry, mode }),
    });
    if (response.ok) return { ok: true };
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
