"""
Wrong (Python, pika + confluent-kafka): drains RabbitMQ "until the queue is empty", but with a
prefetch of 10 the queue's ready count is 0 while orders still sit in pika's buffer, taken and
unacked: it stops right after an order once the flag says kafka and the passive declare says
0, and closing the channel gives the buffered orders back to a queue nobody reads any more.
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


def producers_on():
    with open(os.environ["MIGRATION_FILE"]) as f:
        return json.load(f).get("producers")


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


r = redis.Redis.from_url(os.environ["REDIS_URL"])


def handle(order):
    key = os.environ["KEY_PREFIX"] + "shipped:" + order["orderId"]
    if r.exists(key):
        return True
    if not ship(order):
        return False
    r.set(key, "1")
    return True


# 1. RabbitMQ, ten orders prefetched, until the flag says kafka and the queue is empty.
connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=10)
queue = os.environ["ORDERS_QUEUE"]


def drained():
    return producers_on() == "kafka" and channel.queue_declare(queue, passive=True).method.message_count == 0


for method, _properties, body in channel.consume(queue, inactivity_timeout=0.2):
    if method is None:
        if drained():
            break
        continue
    if handle(json.loads(body)):
        channel.basic_ack(delivery_tag=method.delivery_tag)
    else:
        channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
    if drained():
        break
channel.cancel()
connection.close()

# 2. Kafka, in the group, from the beginning, committing after each order.
consumer = Consumer({
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "group.id": os.environ["GROUP_ID"],
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 3000,
    "heartbeat.interval.ms": 300,
    "fetch.wait.max.ms": 100,
})
consumer.subscribe([os.environ["ORDERS_TOPIC"]])


def stop(*_):
    consumer.close()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    order = json.loads(message.value())
    while not handle(order):
        pass
    consumer.commit(message=message, asynchronous=False)
