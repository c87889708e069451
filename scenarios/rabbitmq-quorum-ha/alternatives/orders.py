"""
Alternative (Python, pika, threads): one connection per job, each moving on to the next
node of RABBITMQ_URLS when its connection breaks. The HTTP handler publishes on a channel in
confirm mode (basic_publish then returns only once RabbitMQ confirmed the order, and raises
when it did not), one request at a time under a lock; a second thread consumes with
prefetch 1, starting from another node, acks after the fulfilment call answered 200 and
requeues the order otherwise.
"""
import json
import os
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pika

URLS = os.environ["RABBITMQ_URLS"].split(",")
QUEUE = os.environ["ORDERS_QUEUE"]
FULFILMENT_URL = os.environ["FULFILMENT_URL"]
PORT = int(os.environ["PORT"])
QUORUM = {"x-queue-type": "quorum"}


def connect(start):
    """A connection to the first node that answers, trying them in turn from `start`."""
    n = start
    while True:
        url = URLS[n % len(URLS)]
        n += 1
        try:
            connection = pika.BlockingConnection(pika.URLParameters(url))
            return connection, n
        except pika.exceptions.AMQPError as error:
            print(f"cannot connect to {url.split('@')[-1]}: {error!r}", flush=True)
            time.sleep(0.2)


class Publisher:
    def __init__(self):
        self.lock = threading.Lock()
        self.next = 0
        self.channel = None
        self.open()

    def open(self):
        connection, self.next = connect(self.next)
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare(QUEUE, durable=True, arguments=QUORUM)
        self.channel = channel

    def publish(self, body):
        with self.lock:
            try:
                if self.channel is None or self.channel.is_closed:
                    self.open()
                # In confirm mode this returns once RabbitMQ confirmed the message, and raises
                # (NackError, UnroutableError, a closed connection) when it did not.
                self.channel.basic_publish("", QUEUE, body, pika.BasicProperties(delivery_mode=2, content_type="application/json"), mandatory=True)
            except Exception:
                self.channel = None  # the next order opens a new connection
                raise


def fulfil(body):
    request = urllib.request.Request(FULFILMENT_URL, data=body, headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10):
            return True
    except (urllib.error.URLError, OSError):
        return False


def on_order(channel, method, properties, body):
    if fulfil(body):
        channel.basic_ack(method.delivery_tag)
    else:
        channel.basic_nack(method.delivery_tag, requeue=True)


def consume_forever():
    n = 1  # start on another node than the publisher
    while True:
        connection, n = connect(n)
        try:
            channel = connection.channel()
            channel.queue_declare(QUEUE, durable=True, arguments=QUORUM)
            channel.basic_qos(prefetch_count=1)
            channel.basic_consume(QUEUE, on_order, auto_ack=False)
            consuming.set()
            channel.start_consuming()
        except Exception as error:
            print(f"consumer lost its connection ({error!r}); connecting to another node", flush=True)
            time.sleep(0.2)


publisher = Publisher()
consuming = threading.Event()
threading.Thread(target=consume_forever, daemon=True).start()
consuming.wait()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(200, "ok") if self.path == "/health" else self.answer(404, "not found")

    def do_POST(self):
        if self.path != "/orders":
            return self.answer(404, "not found")
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            json.loads(body)["orderId"]
        except (ValueError, KeyError, TypeError):
            return self.answer(400, "not an order")
        try:
            publisher.publish(body)
        except Exception as error:
            print(f"publish failed: {error!r}", flush=True)
            return self.answer(500, f"publish failed: {error!r}")
        self.answer(200, "ok")


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
