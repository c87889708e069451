/**
 * Given code for this exercise: the event format, where things are, and the HTTP service
 * the lab posts payment events to. You don't need to change this file.
 *
 * serve(publish) answers every POST /events with 200 once `publish(event)` resolved, and
 * with 500 (and the error's message) when it threw: the 200 is your program's promise that
 * Kafka has the event and will keep it, so `publish` must resolve only once Kafka
 * acknowledged it (acks=all), and throw when the send failed.
 */
import { createServer } from 'node:http';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** A payment event, as the lab posts it and as your program publishes it (JSON value). */
export interface PaymentEvent {
  eventId: string;
  accountId: string;
  amountCents: number;
  /** Only on some events: a scanned receipt (base64), which can be large. */
  receipt?: string;
}

// The three nodes of the lab's Kafka cluster, e.g. "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103".
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103').split(',');

/** Set by the lab only when Kafka asks for a login (a workshop's shared cluster). */
const sasl = process.env.KAFKA_SASL_MECHANISM
  ? ({
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME ?? '',
      password: process.env.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions)
  : undefined;

/** Where things are: the lab sets these for every run. */
export const config = {
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  /** The topic your program creates and publishes to. */
  eventsTopic: process.env.EVENTS_TOPIC ?? 'payments',
  port: Number(process.env.PORT ?? 8080),
};

/**
 * Listens on config.port: GET /health answers 200 (call serve once your topic exists and
 * your producer is connected), POST /events takes one event as JSON and answers 200 once
 * publish resolved, 500 when it threw. Returns a function that stops listening.
 */
export function serve(publish: (event: PaymentEvent) => Promise<void>): () => Promise<void> {
  const server = createServer((request, response) => {
    const answer = (status: number, text: string) => response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (request.method === 'GET' && request.url === '/health') return answer(200, 'ok');
    if (request.method !== 'POST' || request.url !== '/events') return answer(404, 'POST /events or GET /health');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let event: PaymentEvent;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PaymentEvent;
        if (typeof event.eventId !== 'string') throw new Error('no "eventId"');
      } catch (error) {
        return answer(400, `not an event: ${(error as Error).message}`);
      }
      publish(event).then(
        () => answer(200, 'ok'),
        (error: unknown) => {
          console.error(`publish of ${event.eventId} failed:`, (error as Error).message);
          answer(500, `publish failed: ${(error as Error).message}`);
        },
      );
    });
  });
  server.listen(config.port);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
