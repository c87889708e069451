"""Wrong (Python): a compensation is made once, and its failure is only logged.

"Best effort" undo: a refund answered 503 (busy) is never made again, the order is published
as cancelled with its payment still charged. Everything else is as in a correct worker.
"""
import json
import os
import time
import urllib.error
import urllib.request

import pika

URLS = {
    "reserve": os.environ["RESERVE_STOCK_URL"],
    "charge": os.environ["CHARGE_PAYMENT_URL"],
    "ship": os.environ["BOOK_SHIPMENT_URL"],
    "refund": os.environ["REFUND_PAYMENT_URL"],
    "release": os.environ["RELEASE_STOCK_URL"],
}
# Each step, and the action that undoes it (None: nothing to undo).
STEPS = [("reserve", "release"), ("charge", "refund"), ("ship", None)]


class Refused(Exception):
    """A final no (402, 422): the order cannot go on."""


class TryLater(Exception):
    """A 503, a 500, no answer: it may work next time."""


def call(action, order):
    body = {"orderId": order["orderId"], "items": order["items"], "amountCents": order["amountCents"],
            "idempotencyKey": f"{order['orderId']}:{action}"}
    request = urllib.request.Request(URLS[action], data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5):
            return
    except urllib.error.HTTPError as error:
        answer = error.read().decode(errors="replace")
        if error.code in (402, 422):
            raise Refused(json.loads(answer).get("error", str(error.code)) if answer.startswith("{") else str(error.code))
        raise TryLater(f"{action}: HTTP {error.code}")
    except OSError as error:
        raise TryLater(f"{action}: {error}")


def run_order(order):
    done = []
    for action, undo in STEPS:
        try:
            call(action, order)
        except Refused as refusal:
            for compensation in reversed(done):
                try:
                    call(compensation, order)
                except TryLater as reason:
                    print("could not undo:", reason, flush=True)  # the mistake: never tried again
            return {"orderId": order["orderId"], "status": "cancelled", "reason": str(refusal)}
        if undo:
            done.append(undo)
    return {"orderId": order["orderId"], "status": "completed"}


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.queue_declare(os.environ["ORDERS_QUEUE"], durable=True)
channel.basic_qos(prefetch_count=1)


def on_order(ch, method, _properties, body):
    try:
        status = run_order(json.loads(body))
    except TryLater as reason:
        print("later:", reason, flush=True)
        time.sleep(0.1)
        ch.basic_nack(method.delivery_tag, requeue=True)
        return
    ch.basic_publish("", os.environ["ORDER_STATUS_QUEUE"], json.dumps(status),
                     pika.BasicProperties(delivery_mode=2, content_type="application/json"))
    ch.basic_ack(method.delivery_tag)


channel.basic_consume(os.environ["ORDERS_QUEUE"], on_order)
channel.start_consuming()
