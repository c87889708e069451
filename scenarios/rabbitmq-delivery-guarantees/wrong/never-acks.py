"""
WRONG (ack-timing, Python): the at-least-once copy consumes with manual acks and nacks a
refused write, but forgets basic_ack after a successful one. Nothing is lost, but every entry
stays unacknowledged: RabbitMQ hands all of them back, to be written again, whenever the copy
restarts.
Must trip: all-acked, cause "never-acked".
"""
import json, os, urllib.request, urllib.error
import pika

ROLE = os.environ["ROLE"]
QUEUE = os.environ["AT_MOST_ONCE_QUEUE"] if ROLE == "at-most-once" else os.environ["AT_LEAST_ONCE_QUEUE"]


def write(entry):
    req = urllib.request.Request(os.environ["LEDGER_API_URL"] + "/entries",
                                 data=json.dumps({**entry, "mode": ROLE}).encode(),
                                 headers={"content-type": "application/json",
                                          "x-instance-id": os.environ["INSTANCE_ID"]},
                                 method="POST")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


def on_message(ch, method, props, body):
    ok = write(json.loads(body))
    if ROLE == "at-most-once":
        return
    if not ok:
        ch.basic_nack(method.delivery_tag, requeue=True)
    # (success: nothing to do... the ack was forgotten)


conn = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
ch = conn.channel()
ch.basic_consume(QUEUE, on_message, auto_ack=(ROLE == "at-most-once"))
ch.start_consuming()
