/**
 * Given code for this exercise: where things are, the message format, and the call to the
 * lab's SMS API. You don't need to change this file.
 */

/** An SMS to send, as it arrives on SMS_QUEUE (JSON body; its messageId is the smsId). */
export interface Sms {
  smsId: string;
  to: string;
  text: string;
}

export type SendResult = { ok: true } | { ok: false; status: number; error: string };

/** Where things are, and the limit: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  smsQueue: process.env.SMS_QUEUE ?? 'sms',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Every key your program creates starts with this (the lab deletes them afterwards). */
  keyPrefix: process.env.KEY_PREFIX ?? 'redis-rate-limiter:',
  smsApiUrl: process.env.SMS_API_URL ?? 'http://127.0.0.1:8080',
  /** The SMS API allows this many calls per second, over all copies together... */
  ratePerSecond: Number(process.env.RATE_PER_SECOND ?? 25),
  /** ...with bursts of at most this many. */
  burst: Number(process.env.BURST ?? 5),
  /** This copy's number (1, 2, 3): sent with every call so the lab can tell the copies apart. */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** Sends one SMS: one call to the SMS API. 200 means sent; 429 means over the rate limit
 *  (not sent: try again later); anything else failed. Never throws. */
export async function sendSms(sms: Sms): Promise<SendResult> {
  try {
    const response = await fetch(`${config.smsApiUrl}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify(sms),
    });
    if (response.ok) return { ok: true };
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, status: response.status, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: 0, error: String(error) };
  }
}
