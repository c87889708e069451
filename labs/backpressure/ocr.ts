/**
 * Given code for this exercise: where things are, the limit, the page format, and the call to
 * the OCR service. You don't need to change this file.
 */

/** A scanned page, as it arrives on PAGE_QUEUE (JSON body; its messageId is the pageId). */
export interface Page {
  pageId: string;
  /** The length of `content`. */
  bytes: number;
  /** The scan, base64 text of about 40 KiB. */
  content: string;
}

/** Where things are, and the limit: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  pageQueue: process.env.PAGE_QUEUE ?? 'pages',
  ocrApiUrl: process.env.OCR_API_URL ?? 'http://127.0.0.1:8080',
  /** At most this many pages taken from the queue and not yet acknowledged, at any moment. */
  maxInFlight: Number(process.env.MAX_IN_FLIGHT ?? 10),
};

/** Sends one page to the OCR service and waits for its answer (fast, or very slow when the
 *  service is busy). Throws when the service refuses it (400: a malformed call; 503: busy,
 *  try again: nack the page with requeue). */
export async function recognise(page: Page): Promise<void> {
  const response = await fetch(`${config.ocrApiUrl}/pages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pageId: page.pageId, bytes: page.content.length }),
  });
  if (!response.ok) throw new Error(`OCR service answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}
