"""Wrong: no depth thread (pika threading is awkward): the depth is read on the consumer channel only when a job starts, so it is stale during a long job."""
import json
import os
import threading
import time

import pika
from prometheus_client import Counter, Gauge, Histogram, start_http_server

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "jobs")
METRICS_PORT = int(os.environ.get("METRICS_PORT", "9464"))

PROCESSED = Counter("jobs_processed", "Jobs whose processing ended, by outcome", ["outcome"])
PROCESSED.labels(outcome="succeeded")
PROCESSED.labels(outcome="failed")
IN_PROGRESS = Gauge("jobs_in_progress", "Jobs started and not yet ended")
DURATION = Histogram(
    "job_duration_seconds",
    "Job processing time in seconds",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DEPTH = Gauge("jobs_queue_depth", "Messages ready in the jobs queue")

start_http_server(METRICS_PORT)


def depth_loop():
    while True:
        try:
            conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
            ch = conn.channel()
            while True:
                DEPTH.set(ch.queue_declare(JOBS_QUEUE, passive=True).method.message_count)
                conn.sleep(0.5)
        except Exception as exc:  # reconnect
            print("depth reader:", exc, flush=True)
            time.sleep(0.5)


# BUG: no periodic reader; see on_job


def on_job(ch, method, properties, body):
    job = json.loads(body)
    DEPTH.set(ch.queue_declare(JOBS_QUEUE, passive=True).method.message_count)  # BUG: only per job
    failed = bool(job.get("fail"))
    with IN_PROGRESS.track_inprogress():
        with DURATION.time():
            time.sleep(job["durationMs"] / 1000.0)
        PROCESSED.labels(outcome="failed" if failed else "succeeded").inc()
    if failed:
        ch.basic_reject(method.delivery_tag, requeue=False)
    else:
        ch.basic_ack(method.delivery_tag)


conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = conn.channel()
channel.queue_declare(JOBS_QUEUE, durable=True)
channel.basic_qos(prefetch_count=1)
channel.basic_consume(JOBS_QUEUE, on_job)
print(f"worker: consuming {JOBS_QUEUE}, metrics on :{METRICS_PORT}", flush=True)
channel.start_consuming()
