/**
 * Given code for this exercise: the event format, where things are, and the HTTP service
 * the lab posts batches to. You don't need to change this file.
 *
 * serve(publish) answers every POST /events with 200 once `publish(events)` resolved, and
 * with 500 (and the error's message) when it threw: the 200 is your program's promise that
 * Kafka has every event of the batch, so `publish` must resolve only once Kafka acknowledged
 * them all.
 */
import { createServer } from 'node:http';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** An account event, as the lab posts it and as your program publishes it (JSON value). */
export interface AccountEvent {
  eventId: string;
  /** The account the event belongs to: the record's key. */
  accountId: string;
  type: 'deposit' | 'withdrawal' | 'fee' | 'interest';
  amountCents: number;
  /** 1, 2, 3...: the event's place among its account's events. */
  accountSeq: number;
}

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

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
  eventsTopic: process.env.EVENTS_TOPIC ?? 'account-events',
  port: Number(process.env.PORT ?? 8080),
};

/**
 * Listens on config.port: GET /health answers 200 (call serve once your producer is
 * connected), POST /events takes {"events": [...]} and answers 200 once publish resolved.
 * Returns a function that stops listening.
 */
export function serve(publish: (events: AccountEvent[]) => Promise<void>): () => Promise<void> {
  const server = createServer((request, response) => {
    const answer = (status: number, text: string) => response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (request.method === 'GET' && request.url === '/health') return answer(200, 'ok');
    if (request.method !== 'POST' || request.url !== '/events') return answer(404, 'POST /events or GET /health');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let events: AccountEvent[];
      try {
        events = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: AccountEvent[] }).events;
        if (!Array.isArray(events)) throw new Error('"events" must be an array');
      } catch (error) {
        return answer(400, `not a batch: ${(error as Error).message}`);
      }
      publish(events).then(
        () => answer(200, 'ok'),
        (error: unknown) => {
          console.error('publish failed:', error);
          answer(500, `publish failed: ${(error as Error).message}`);
        },
      );
    });
  });
  server.listen(config.port);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
