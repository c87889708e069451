"""
Wrong: the topic is created with replication factor 1 ("Kafka replicates by itself").
Python, confluent-kafka.
"""
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

base = {"bootstrap.servers": os.environ["KAFKA_BROKERS"], "client.id": "payments"}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    base.update(
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
            "sasl.username": os.environ["KAFKA_SASL_USERNAME"],
            "sasl.password": os.environ["KAFKA_SASL_PASSWORD"],
        }
    )
topic = os.environ["EVENTS_TOPIC"]

admin = AdminClient(base)
for future in admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values():
    try:
        future.result()
    except KafkaException as error:
        if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
# Wait until a node leads its partition.
while True:
    partitions = admin.list_topics(topic, timeout=5).topics[topic].partitions
    if partitions and partitions[0].leader >= 0:
        break
    time.sleep(0.1)

producer = Producer({**base, "enable.idempotence": True})


def publish(event):
    """Returns None once Kafka acknowledged the event, else the error."""
    errors = []

    def delivered(error, _message):
        if error is not None:
            errors.append(error)

    try:
        producer.produce(topic, key=event["accountId"], value=json.dumps(event), on_delivery=delivered)
    except (KafkaException, BufferError) as error:
        return str(error)
    if producer.flush(60) > 0:
        return "not acknowledged within 60 s"
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
        event = json.loads(self.rfile.read(int(self.headers["content-length"])))
        error = publish(event)
        self.answer(500 if error else 200, error or "ok")

    def log_message(self, *_):
        pass


def stop(*_):
    producer.flush(5)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
