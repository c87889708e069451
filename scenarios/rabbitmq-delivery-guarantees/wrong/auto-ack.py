"""
Wrong (Python, pika): both copies consume with auto_ack=True ("RabbitMQ handles the acks"),
and the at-least-once copy retries a failed write until it succeeds. auto_ack tells RabbitMQ
every message is done as it is sent: the at-least-once copy loses the messages it holds when
it is killed.
Must fail: no-lost-messages (lost-at-kill), at-least-once (not-redelivered).
"""
import json
import os
import time
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


def on_message(ch, method, properties, body):
    entry = json.loads(body)
    if ROLE == "at-most-once":
        write_entry(entry)
        return
    while not write_entry(entry):  # at least once: until it is written
        time.sleep(0.05)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_consume(QUEUE, on_message, auto_ack=True)
channel.start_consuming()
