"""Wrong (Python): compensates a refused order and publishes its status, but acks only the
completed ones: every cancelled order stays unacknowledged, and goes back to the queue when
the program stops.
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
STEPS = [("reserve", "release"), ("charge", "refund"), ("ship", None)]


def call(action, order, key):
    body = {"orderId": order["orderId"], "items": order["items"], "amountCents": order["amountCents"]}
    if key:
        body["idempotencyKey"] = key
    while True:
        request = urllib.request.Request(URLS[action], data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5):
                return True
        except urllib.error.HTTPError as error:
            if error.code in (402, 422):
                return False
        except OSError:
            pass
        time.sleep(0.1)


def run_order(order):
    done = []
    for action, undo in STEPS:
        if not call(action, order, f"{order['orderId']}:{action}"):
            for compensation in reversed(done):
                call(compensation, order, f"{order['orderId']}:{compensation}")
            return {"orderId": order["orderId"], "status": "cancelled"}
        if undo:
            done.append(undo)
    return {"orderId": order["orderId"], "status": "completed"}


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.queue_declare(os.environ["ORDERS_QUEUE"], durable=True)


def on_order(ch, method, _properties, body):
    status = run_order(json.loads(body))
    ch.basic_publish("", os.environ["ORDER_STATUS_QUEUE"], json.dumps(status), pika.BasicProperties(delivery_mode=2))
    if status["status"] == "completed":
        ch.basic_ack(method.delivery_tag)


channel.basic_consume(os.environ["ORDERS_QUEUE"], on_order)
channel.start_consuming()
