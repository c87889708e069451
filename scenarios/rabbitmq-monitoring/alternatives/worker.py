"""Alternative (Python): pika's blocking consumer and prometheus_client.

The library does the format: a Counter named jobs_processed (it adds _total), a Gauge with
track_inprogress(), a Histogram timed with time(), and the queue's depth read by a thread of
its own (its own connection: pika's connections are not shared between threads).
"""
import json
import os
import threading
import time

import pika
from prometheus_client import Counter, Gauge, Histogram, start_http_server

URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
QUEUE = os.environ.get("JOBS_QUEUE", "jobs")
PORT = int(os.environ.get("METRICS_PORT", "9464"))

PROCESSED = Counter("jobs_processed", "Jobs whose processing ended, by outcome.", ["outcome"])
IN_PROGRESS = Gauge("jobs_in_progress", "Jobs being processed right now.")
DURATION = Histogram("job_duration_seconds", "How long processing a job took.", buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
DEPTH = Gauge("jobs_queue_depth", "Messages ready in the jobs queue.")


def watch_depth():
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    channel = connection.channel()
    while True:
        DEPTH.set(channel.queue_declare(QUEUE, passive=True).method.message_count)
        connection.sleep(0.5)  # keeps the connection's heartbeats going


def on_job(channel, method, properties, body):
    job = json.loads(body)
    with IN_PROGRESS.track_inprogress():
        with DURATION.time():
            time.sleep(job["durationMs"] / 1000)  # the work
        if job["fail"]:
            PROCESSED.labels(outcome="failed").inc()
            channel.basic_reject(method.delivery_tag, requeue=False)
        else:
            PROCESSED.labels(outcome="succeeded").inc()
            channel.basic_ack(method.delivery_tag)


start_http_server(PORT, addr="127.0.0.1")
threading.Thread(target=watch_depth, daemon=True).start()
connection = pika.BlockingConnection(pika.URLParameters(URL))
channel = connection.channel()
channel.queue_declare(QUEUE, durable=True)
channel.basic_qos(prefetch_count=1)
channel.basic_consume(QUEUE, on_job)
print(f"worker: consuming {QUEUE}, metrics on http://127.0.0.1:{PORT}/metrics", flush=True)
channel.start_consuming()
