/**
 * Given code for this exercise: the message formats, the settings and the call to the
 * answers API. You don't need to change this file.
 */

/** A question as it arrives on QUESTIONS_QUEUE (JSON body; its messageId is the questionId). */
export interface Question {
  questionId: string;
  sku: string;
}

/** What you send to PRICE_REQUESTS (JSON body), with replyTo and correlationId set. */
export interface PriceRequest {
  sku: string;
}

/** What the price service sends back to your replyTo (JSON body), with your correlationId. */
export interface PriceReply {
  price: number;
}

/** What you report for a question: its price, or that the price did not come in time. */
export type Answer = { questionId: string; price: number } | { questionId: string; timedOut: true };

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  questionsQueue: process.env.QUESTIONS_QUEUE ?? 'questions',
  priceRequests: process.env.PRICE_REQUESTS ?? 'price-requests',
  answersApiUrl: process.env.ANSWERS_API_URL ?? 'http://127.0.0.1:8080',
  /** How long to wait for a reply, in milliseconds, from sending the request. */
  deadlineMs: Number(process.env.DEADLINE_MS ?? 1000),
  /** Which copy of your program this is (1 or 2). */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** Reports one answer to the answers API. Never throws: a failure is written to stderr. */
export async function reportAnswer(answer: Answer): Promise<void> {
  try {
    const response = await fetch(`${config.answersApiUrl}/answers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify(answer),
    });
    if (!response.ok) console.error(`answers API said ${response.status} to ${JSON.stringify(answer)}: ${await response.text()}`);
  } catch (error) {
    console.error(`could not report ${JSON.stringify(answer)}: ${String(error)}`);
  }
}
