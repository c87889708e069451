"""
Wrong (Python, confluent-kafka): the idempotent producer, keyed, but it answers 200 right
after produce() ("librdkafka delivers in the background, with retries"), without flush():
produce() only queues the events: while the connection is broken they are written seconds
after the 200, and the batch answered just before the redeploy's SIGKILL is never written.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from confluent_kafka import Producer

config = {
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "client.id": "account-events",
    "enable.idempotence": True,
}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    config.update(
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
            "sasl.username": os.environ["KAFKA_SASL_USERNAME"],
            "sasl.password": os.environ["KAFKA_SASL_PASSWORD"],
        }
    )
producer = Producer(config)
topic = os.environ["EVENTS_TOPIC"]


def publish(events):
    """Returns None once Kafka acknowledged every event, else the first error."""
    errors = []

    def delivered(error, _message):
        if error is not None:
            errors.append(error)

    for event in events:
        producer.produce(topic, key=event["accountId"], value=json.dumps(event), on_delivery=delivered)
    # Serve delivery reports without waiting: librdkafka sends in the background.
    producer.poll(0)
    return str(errors[0]) if errors else None


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(200 if self.path == "/health" else 404, "ok")

    def do_POST(self):
        if self.path != "/events":
            return self.answer(404, "POST /events")
        events = json.loads(self.rfile.read(int(self.headers["content-length"])))["events"]
        error = publish(events)
        self.answer(500 if error else 200, error or "ok")

    def log_message(self, *_):
        pass


def stop(*_):
    producer.flush(5)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
