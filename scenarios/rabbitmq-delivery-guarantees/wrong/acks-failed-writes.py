"""
Wrong (Python, pika): the at-least-once copy acks after the write, but whatever the write
came to ("it was processed"). A crash is survived, but a message whose write the ledger
refused (503, busy) is acknowledged and never tried again.
Must fail: no-lost-messages (gave-up).
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
    except urllib.error.HTTPError as error:
        print("ledger refused", entry["entryId"], error.code, flush=True)
        return False


def on_message(ch, method, properties, body):
    entry = json.loads(body)
    if ROLE == "at-most-once":
        ch.basic_ack(method.delivery_tag)
        write_entry(entry)
        return
    try:
        write_entry(entry)
    finally:
        ch.basic_ack(method.delivery_tag)  # processed: done with it


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=10)
channel.basic_consume(QUEUE, on_message)
channel.start_consuming()
