/**
 * Reference solution: a job worker with its own /metrics. Consumes JOBS_QUEUE one job at a
 * time, counts each job when its work has ended (by outcome), keeps jobs_in_progress right
 * on every path (try/finally), times the work in seconds, reads the queue's depth with a
 * passive declare every 500 ms, and writes Prometheus's text format by hand (no library).
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

// --- the metrics, in memory: they start at 0 with the process, as Prometheus expects ------

const processed = new Map<string, number>([
  ['succeeded', 0],
  ['failed', 0],
]);
let inProgress = 0;
let queueDepth = 0;
/** Upper bounds of the histogram's buckets, in seconds (+Inf is the count). */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const bucketCounts = BUCKETS.map(() => 0);
let durationSum = 0;
let durationCount = 0;

function observeDuration(seconds: number): void {
  BUCKETS.forEach((le, i) => {
    if (seconds <= le) bucketCounts[i] = (bucketCounts[i] ?? 0) + 1;
  });
  durationSum += seconds;
  durationCount += 1;
}

/** The text exposition format (version 0.0.4): HELP and TYPE, then the samples. */
function exposition(): string {
  const lines = [
    '# HELP jobs_processed_total Jobs whose processing ended, by outcome.',
    '# TYPE jobs_processed_total counter',
    ...[...processed].map(([outcome, n]) => `jobs_processed_total{outcome="${outcome}"} ${n}`),
    '# HELP jobs_in_progress Jobs being processed right now.',
    '# TYPE jobs_in_progress gauge',
    `jobs_in_progress ${inProgress}`,
    '# HELP job_duration_seconds How long processing a job took.',
    '# TYPE job_duration_seconds histogram',
    ...BUCKETS.map((le, i) => `job_duration_seconds_bucket{le="${le}"} ${bucketCounts[i]}`),
    `job_duration_seconds_bucket{le="+Inf"} ${durationCount}`,
    `job_duration_seconds_sum ${durationSum}`,
    `job_duration_seconds_count ${durationCount}`,
    '# HELP jobs_queue_depth Messages ready in the jobs queue.',
    '# TYPE jobs_queue_depth gauge',
    `jobs_queue_depth ${queueDepth}`,
  ];
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

// --- the worker ---------------------------------------------------------------------------

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: true });

// The depth on a channel of its own: a passive declare of a missing queue would close it.
const probe = await connection.createChannel();
setInterval(() => {
  probe.checkQueue(queue).then(
    (q) => (queueDepth = q.messageCount),
    () => {},
  );
}, 500);

await channel.prefetch(1);
await channel.consume(
  queue,
  async (message) => {
    if (message === null) return;
    const job = JSON.parse(message.content.toString()) as Job;
    inProgress++;
    const started = performance.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, job.durationMs)); // the work
      const outcome = job.fail ? 'failed' : 'succeeded';
      // Counted once the work has ended, just before the broker is told.
      processed.set(outcome, (processed.get(outcome) ?? 0) + 1);
      observeDuration((performance.now() - started) / 1000);
      if (job.fail) channel.reject(message, false);
      else channel.ack(message);
    } finally {
      inProgress--;
    }
  },
  { noAck: false },
);
console.log(`worker: consuming ${queue}, metrics on http://127.0.0.1:${port}/metrics`);
