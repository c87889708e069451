/** Wrong: a hand-written histogram whose buckets count per range (not cumulative), and le="+Inf" only the overflow (not _count). */
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

const processed = new Map<string, number>([
  ['succeeded', 0],
  ['failed', 0],
]);
let inProgress = 0;
const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const bucketCounts = buckets.map(() => 0);
let durationSum = 0;
let overflow = 0;
let durationCount = 0;
let queueDepth = 0;

function observe(seconds: number): void {
  // BUG: put each observation in ONE bucket (its range), not in every bucket with le >= it
  const i = buckets.findIndex((le) => seconds <= le);
  if (i >= 0) bucketCounts[i] = (bucketCounts[i] ?? 0) + 1;
  else overflow++;
  durationSum += seconds;
  durationCount++;
}

function exposition(): string {
  const lines: string[] = [];
  lines.push('# HELP jobs_processed_total Jobs whose processing ended, by outcome.');
  lines.push('# TYPE jobs_processed_total counter');
  for (const [outcome, n] of processed) lines.push(`jobs_processed_total{outcome="${outcome}"} ${n}`);
  lines.push('# HELP jobs_in_progress Jobs started and not yet ended.');
  lines.push('# TYPE jobs_in_progress gauge');
  lines.push(`jobs_in_progress ${inProgress}`);
  lines.push('# HELP job_duration_seconds Job processing time in seconds.');
  lines.push('# TYPE job_duration_seconds histogram');
  buckets.forEach((le, i) => lines.push(`job_duration_seconds_bucket{le="${le}"} ${bucketCounts[i]}`));
  lines.push(`job_duration_seconds_bucket{le="+Inf"} ${overflow}`);
  lines.push(`job_duration_seconds_sum ${durationSum}`);
  lines.push(`job_duration_seconds_count ${durationCount}`);
  lines.push('# HELP jobs_queue_depth Messages ready in the jobs queue.');
  lines.push('# TYPE jobs_queue_depth gauge');
  lines.push(`jobs_queue_depth ${queueDepth}`);
  return lines.join('\n') + '\n';
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

const probe = await connection.createChannel();
async function readDepth(): Promise<void> {
  try {
    const q = await probe.checkQueue(queue);
    queueDepth = q.messageCount;
  } catch (err) {
    console.error('depth read failed', err);
  }
}
await readDepth();
setInterval(() => void readDepth(), 500);

await channel.consume(
  queue,
  async (message) => {
    if (message === null) return;
    const job = JSON.parse(message.content.toString()) as Job;
    inProgress++;
    const started = performance.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, job.durationMs)); // the work
    } finally {
      observe((performance.now() - started) / 1000);
      processed.set(job.fail ? 'failed' : 'succeeded', processed.get(job.fail ? 'failed' : 'succeeded')! + 1);
      inProgress--;
    }
    if (job.fail) channel.reject(message, false);
    else channel.ack(message);
  },
  { noAck: false },
);
console.log(`worker: consuming ${queue}, metrics on http://127.0.0.1:${port}/metrics`);
