/**
 * Your job worker with its own metrics (see README.md). It already consumes JOBS_QUEUE and
 * does the work; it serves /metrics on METRICS_PORT, but with nothing in it yet. Add the four
 * metrics of the README, in Prometheus's text format, and keep them true.
 */
import { createServer } from 'node:http';
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = process.env.JOBS_QUEUE ?? 'jobs';
const port = Number(process.env.METRICS_PORT ?? 9464);

interface Job {
  jobId: string;
  durationMs: number;
  fail: boolean;
}

/** Prometheus's text format: for each metric a "# TYPE" line, then its samples. */
function exposition(): string {
  // TODO: jobs_processed_total{outcome="..."}, jobs_in_progress, job_duration_seconds, jobs_queue_depth
  return '';
}

createServer((req, res) => {
  if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(exposition());
  } else {
    res.writeHead(404).end();
  }
}).listen(port, '127.0.0.1');

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: true });
await channel.prefetch(1);
await channel.consume(
  queue,
  async (message) => {
    if (message === null) return;
    const job = JSON.parse(message.content.toString()) as Job;
    await new Promise((resolve) => setTimeout(resolve, job.durationMs)); // the work
    if (job.fail) channel.reject(message, false);
    else channel.ack(message);
  },
  { noAck: false },
);
console.log(`worker: consuming ${queue}, metrics on http://127.0.0.1:${port}/metrics`);
