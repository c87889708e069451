"""
Alternative (Python, pika + confluent-kafka): dual-read, no flag at all. From the start the
program consumes both ORDERS_QUEUE and ORDERS_TOPIC (in GROUP_ID, from the beginning), one
message at a time from whichever has one, and every order goes through one idempotent step:
SET NX on KEY_PREFIX + "shipped:" + orderId after shipping, skipped if already there. Kafka
offsets are committed by hand after each order; RabbitMQ messages acked after each order.
"""
import json
import os
import signal
import sys
import urllib.error
import urllib.request

import pika
import redis
from confluent_kafka import Consumer

r = redis.Redis.from_url(os.environ["REDIS_URL"])


def shipped_key(order_id):
    return os.environ["KEY_PREFIX"] + "shipped:" + order_id


def ship(order):
    request = urllib.request.Request(
        os.environ["FULFILLMENT_API_URL"] + "/shipments",
        data=json.dumps(order).encode(),
        headers={"content-type": "application/json", "x-instance-id": os.environ.get("INSTANCE_ID", "1")},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except (urllib.error.URLError, TimeoutError):
        return False


def handle(order):
    """True once the order is shipped (now or before): then ack or commit it."""
    if r.exists(shipped_key(order["orderId"])):
        return True
    if not ship(order):
        return False
    r.set(shipped_key(order["orderId"]), "1")
    return True


def kafka_config():
    config = {
        "bootstrap.servers": os.environ["KAFKA_BROKERS"],
        "group.id": os.environ["GROUP_ID"],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 3000,
        "heartbeat.interval.ms": 300,
        "fetch.wait.max.ms": 100,
    }
    if os.environ.get("KAFKA_SASL_MECHANISM"):
        config.update({
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
            "sasl.username": os.environ["KAFKA_SASL_USERNAME"],
            "sasl.password": os.environ["KAFKA_SASL_PASSWORD"],
        })
    return config


consumer = Consumer(kafka_config())
consumer.subscribe([os.environ["ORDERS_TOPIC"]])
connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
rabbit = channel.consume(os.environ["ORDERS_QUEUE"], inactivity_timeout=0.05)


def stop(*_):
    consumer.close()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)

while True:
    method, _properties, body = next(rabbit)
    if method is not None:
        if handle(json.loads(body)):
            channel.basic_ack(delivery_tag=method.delivery_tag)
        else:
            channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
    message = consumer.poll(0.05)
    if message is None or message.error():
        continue
    order = json.loads(message.value())
    while not handle(order):
        pass  # shipping failed: try the same order again before moving on
    consumer.commit(message=message, asynchronous=False)
