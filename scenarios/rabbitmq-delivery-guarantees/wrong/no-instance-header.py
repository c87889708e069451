"""
WRONG (content, Python): writes its own HTTP calls to the ledger and leaves out the
x-instance-id header ("the body says the mode already"). The ledger refuses every call without
it (400), so nothing is written.
Must trip: no-lost-messages (rejected) and at-most-once (rejected).
"""
import json, os, urllib.request, urllib.error
import pika

ROLE = os.environ["ROLE"]
QUEUE = os.environ["AT_MOST_ONCE_QUEUE"] if ROLE == "at-most-once" else os.environ["AT_LEAST_ONCE_QUEUE"]


def write(entry):
    req = urllib.request.Request(os.environ["LEDGER_API_URL"] + "/entries",
                                 data=json.dumps({**entry, "mode": ROLE}).encode(),
                                 headers={"content-type": "application/json"},
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
    if ok:
        ch.basic_ack(method.delivery_tag)
    else:
        ch.basic_nack(method.delivery_tag, requeue=True)


conn = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
ch = conn.channel()
ch.basic_consume(QUEUE, on_message, auto_ack=(ROLE == "at-most-once"))
ch.start_consuming()
