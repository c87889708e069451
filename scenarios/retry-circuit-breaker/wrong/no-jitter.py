"""
Wrong (Python): a circuit breaker and exponential backoff, but no jitter: the k-th retry
waits exactly min(MAX_DELAY_MS, BASE_DELAY_MS * 2^(k-1)), so jobs that failed together
retry together.
"""
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pika

PARTNER = os.environ["PARTNER_API_URL"] + "/invoices"
BASE = int(os.environ["BASE_DELAY_MS"]) / 1000
MAX = int(os.environ["MAX_DELAY_MS"]) / 1000
THRESHOLD = int(os.environ["FAILURE_THRESHOLD"])
COOL_DOWN = int(os.environ["COOL_DOWN_MS"]) / 1000
CONCURRENCY = int(os.environ["CONCURRENCY"])


def send(body):
    request = urllib.request.Request(PARTNER, data=body, headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


class Breaker:
    def __init__(self):
        self.lock = threading.Condition()
        self.state = "closed"
        self.in_a_row = 0
        self.opened_at = 0.0
        self.trial_out = False

    def permit(self):
        """Blocks until a call may go out; True when it is the half-open trial."""
        with self.lock:
            while True:
                if self.state == "closed":
                    return False
                if self.state == "open":
                    left = self.opened_at + COOL_DOWN - time.monotonic()
                    if left > 0:
                        self.lock.wait(left)
                        continue
                    self.state = "half-open"
                    self.trial_out = False
                if not self.trial_out:
                    self.trial_out = True
                    return True
                self.lock.wait()

    def record(self, trial, ok):
        with self.lock:
            if trial:
                if ok:
                    self.state, self.in_a_row = "closed", 0
                else:
                    self._open()
            elif self.state == "closed":
                self.in_a_row = 0 if ok else self.in_a_row + 1
                if self.in_a_row >= THRESHOLD:
                    self._open()
            self.lock.notify_all()

    def _open(self):
        self.state = "open"
        self.opened_at = time.monotonic()


breaker = Breaker()


def work(body):
    failures = 0
    while True:
        trial = breaker.permit()
        ok = send(body)
        breaker.record(trial, ok)
        if ok:
            return
        failures += 1
        time.sleep(min(MAX, BASE * 2 ** (failures - 1)))


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=CONCURRENCY)
pool = ThreadPoolExecutor(max_workers=CONCURRENCY)


def on_message(ch, method, properties, body):
    def job():
        work(body)
        connection.add_callback_threadsafe(lambda: ch.basic_ack(delivery_tag=method.delivery_tag))

    pool.submit(job)


channel.basic_consume(queue=os.environ["INVOICE_QUEUE"], on_message_callback=on_message)
channel.start_consuming()
