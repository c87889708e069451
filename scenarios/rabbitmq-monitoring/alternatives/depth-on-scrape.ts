/**
 * Alternative (TypeScript): small metric classes that print themselves, the queue's depth
 * read when Prometheus asks (a passive declare inside the /metrics handler, no timer), and
 * the consumer written with a `finally` that both settles the gauge and observes the time.
 */
import { createServer } from 'node:http';
import amqp from 'amqplib';

const { AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672', JOBS_QUEUE = 'jobs', METRICS_PORT = '9464' } = process.env;

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    private readonly name: string,
    private readonly label: string,
    initial: string[],
  ) {
    for (const value of initial) this.values.set(value, 0);
  }
  inc(labelValue: string): void {
    this.values.set(labelValue, (this.values.get(labelValue) ?? 0) + 1);
  }
  text(): string[] {
    return [`# TYPE ${this.name} counter`, ...[...this.values].map(([v, n]) => `${this.name}{${this.label}="${v}"} ${n}`)];
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    private readonly name: string,
    private readonly bounds: number[],
  ) {
    this.counts = bounds.map(() => 0);
  }
  observe(value: number): void {
    this.bounds.forEach((le, i) => value <= le && (this.counts[i] = (this.counts[i] ?? 0) + 1));
    this.sum += value;
    this.count++;
  }
  text(): string[] {
    return [
      `# TYPE ${this.name} histogram`,
      ...this.bounds.map((le, i) => `${this.name}_bucket{le="${le}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

const processed = new Counter('jobs_processed_total', 'outcome', ['succeeded', 'failed']);
const duration = new Histogram('job_duration_seconds', [0.01, 0.05, 0.1, 0.5, 1, 5]);
let running = 0;

const connection = await amqp.connect(AMQP_URL);
const jobs = await connection.createChannel();
const probe = await connection.createChannel();
await jobs.assertQueue(JOBS_QUEUE, { durable: true });

createServer(async (req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  // Read now, for this scrape: the depth is never older than the scrape itself.
  const depth = await probe.checkQueue(JOBS_QUEUE).then((q) => q.messageCount, () => 0);
  const lines = [...processed.text(), '# TYPE jobs_in_progress gauge', `jobs_in_progress ${running}`, ...duration.text(), '# TYPE jobs_queue_depth gauge', `jobs_queue_depth ${depth}`];
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
}).listen(Number(METRICS_PORT));

await jobs.prefetch(1);
await jobs.consume(JOBS_QUEUE, async (message) => {
  if (!message) return;
  const { durationMs, fail } = JSON.parse(message.content.toString()) as { durationMs: number; fail: boolean };
  running++;
  const t0 = process.hrtime.bigint();
  try {
    await new Promise((r) => setTimeout(r, durationMs));
  } finally {
    running--;
    duration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    processed.inc(fail ? 'failed' : 'succeeded');
  }
  if (fail) jobs.reject(message, false);
  else jobs.ack(message);
});
