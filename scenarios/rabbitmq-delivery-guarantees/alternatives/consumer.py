"""
Alternative (Python, pika, one message at a time): the at-most-once copy acks each message
as soon as it arrives, before writing it (manual ack, not auto-ack); the at-least-once copy
acks after the ledger said 200 and requeues a failed write.
"""
import json
import os
import urllib.error
import urllib.request

import pika

ROLE = os.environ["ROLE"]
QUEUE = os.environ["AT_MOST_ONCE_QUEUE"] if ROLE == "at-most-once" else os.environ["AT_LEAST_ONCE_QUEUE"]


def write_entry(entry):
    request = urllib.request.Request(
        os.environ["LEDGER_API_URL"] + "/entries",
        data=json.dumps({**entry, "mode": ROLE}).encode(),
        headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request):
            return True
    except urllib.error.HTTPError:
        return False


def at_most_once(ch, method, properties, body):
    ch.basic_ack(method.delivery_tag)  # done, as far as RabbitMQ knows: never redelivered
    write_entry(json.loads(body))  # a failure is lost, by design


def at_least_once(ch, method, properties, body):
    if write_entry(json.loads(body)):
        ch.basic_ack(method.delivery_tag)
    else:
        ch.basic_nack(method.delivery_tag, requeue=True)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=10)
channel.basic_consume(QUEUE, at_most_once if ROLE == "at-most-once" else at_least_once)
channel.start_consuming()
