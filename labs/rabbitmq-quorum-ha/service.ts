/**
 * Given code for this exercise: the order format, where things are, the HTTP service the lab
 * posts orders to, and the call to the fulfilment service. You don't need to change this file.
 *
 * serve(publish) answers every POST /orders with 200 once `publish(order)` resolved, and with
 * 500 (and the error's message) when it threw: the 200 is your program's promise that
 * RabbitMQ has the order and will keep it, so `publish` must resolve only once RabbitMQ
 * confirmed the publish, and throw when it did not.
 */
import { createServer } from 'node:http';

/** An order, as the lab posts it and as your program publishes it (JSON body). */
export interface Order {
  orderId: string;
  customerId: string;
  items: Array<{ sku: string; quantity: number }>;
  totalCents: number;
}

/** Where things are: the lab sets these for every run. */
export const config = {
  /** The AMQP URLs of the cluster's three nodes, the run's vhost included: when the node you
   *  are connected to dies, connect to another one. */
  rabbitUrls: (process.env.RABBITMQ_URLS ?? 'amqp://guest:guest@127.0.0.1:5681,amqp://guest:guest@127.0.0.1:5682,amqp://guest:guest@127.0.0.1:5683').split(','),
  /** The queue your program declares, publishes to and consumes. */
  ordersQueue: process.env.ORDERS_QUEUE ?? 'orders',
  /** The fulfilment service: POST an order's JSON here to fulfil it. */
  fulfilmentUrl: process.env.FULFILMENT_URL ?? 'http://127.0.0.1:8090/fulfil',
  port: Number(process.env.PORT ?? 8080),
};

/**
 * Calls the fulfilment service for one order: true when it answered 200 (the order is
 * fulfilled), false when it refused (503: busy, try again) or could not be reached.
 */
export async function fulfil(order: Order): Promise<boolean> {
  try {
    const response = await fetch(config.fulfilmentUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order), signal: AbortSignal.timeout(10_000) });
    await response.text();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Listens on config.port: GET /health answers 200 (call serve once your queue is declared and
 * you consume it), POST /orders takes one order as JSON and answers 200 once publish
 * resolved, 500 when it threw. Returns a function that stops listening.
 */
export function serve(publish: (order: Order) => Promise<void>): () => Promise<void> {
  const server = createServer((request, response) => {
    const answer = (status: number, text: string) => response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (request.method === 'GET' && request.url === '/health') return answer(200, 'ok');
    if (request.method !== 'POST' || request.url !== '/orders') return answer(404, 'POST /orders or GET /health');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let order: Order;
      try {
        order = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Order;
        if (typeof order.orderId !== 'string') throw new Error('no "orderId"');
      } catch (error) {
        return answer(400, `not an order: ${(error as Error).message}`);
      }
      publish(order).then(
        () => answer(200, 'ok'),
        (error: unknown) => {
          console.error(`publish of ${order.orderId} failed:`, (error as Error).message);
          answer(500, `publish failed: ${(error as Error).message}`);
        },
      );
    });
  });
  server.listen(config.port);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
