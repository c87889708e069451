"""
Wrong (Python, pika, configuration): both copies consume AT_LEAST_ONCE_QUEUE ("the ledger
queue"); ROLE only decides how each acks. Nobody reads AT_MOST_ONCE_QUEUE, and the
at-most-once copy takes part of the at-least-once queue.
Must fail: at-most-once (nothing-processed), at-least-once (wrong-copy).
"""
import json
import os
import urllib.error
import urllib.request

import pika

ROLE = os.environ["ROLE"]
QUEUE = os.environ["AT_LEAST_ONCE_QUEUE"]


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


def on_message(ch, method, properties, body):
    entry = json.loads(body)
    if ROLE == "at-most-once":
        ch.basic_ack(method.delivery_tag)
        write_entry(entry)
    elif write_entry(entry):
        ch.basic_ack(method.delivery_tag)
    else:
        ch.basic_nack(method.delivery_tag, requeue=True)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=10)
channel.basic_consume(QUEUE, on_message)
channel.start_consuming()
