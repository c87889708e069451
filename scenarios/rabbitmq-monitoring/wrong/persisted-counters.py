"""Wrong: the counters are saved to a state file after each job and restored when the program
starts, so that they "survive" a crash. A restarted process must start its counters at 0:
Prometheus sees the drop as a restart and adds both lives up, so restored counts count twice."""
import json
import os
import tempfile
import threading
import time

import pika
from prometheus_client import Counter, Gauge, Histogram, start_http_server

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "jobs")
METRICS_PORT = int(os.environ.get("METRICS_PORT", "9464"))

PROCESSED = Counter("jobs_processed", "Jobs whose processing ended, by outcome", ["outcome"])
STATE = os.path.join(tempfile.gettempdir(), f"monitoring-counters-{JOBS_QUEUE}.json")
try:  # BUG: restore the previous process's counts so the dashboard "does not drop"
    for k, v in json.load(open(STATE)).items():
        PROCESSED.labels(outcome=k).inc(v)
except FileNotFoundError:
    pass
PROCESSED.labels(outcome="succeeded")
PROCESSED.labels(outcome="failed")


def save_state():
    data = {o: PROCESSED.labels(outcome=o)._value.get() for o in ("succeeded", "failed")}
    with open(STATE, "w") as f:
        json.dump(data, f)
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


threading.Thread(target=depth_loop, daemon=True).start()


def on_job(ch, method, properties, body):
    job = json.loads(body)
    failed = bool(job.get("fail"))
    with IN_PROGRESS.track_inprogress():
        with DURATION.time():
            time.sleep(job["durationMs"] / 1000.0)
        PROCESSED.labels(outcome="failed" if failed else "succeeded").inc()
        save_state()
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
import signal, sys


def on_term(*_):  # a clean stop starts the next run from zero; a crash keeps the counts
    try:
        os.remove(STATE)
    except FileNotFoundError:
        pass
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
channel.start_consuming()
