"""
WRONG (configuration, Python): declares its queues durable=True but also auto_delete=True ("tidy:
no queues left behind"). A queue then goes away with its last consumer, and every message in
it with it: when the payment service is killed, its queue and the orders waiting in it are gone.
Must trip: durable-queues, cause "gone-after-stop".
"""
import json
import os
import time
import urllib.error
import urllib.request

import pika

ROLE = os.environ["ROLE"]
INSTANCE_ID = os.environ.get("INSTANCE_ID", "1")
ORDERS = os.environ["ORDERS_QUEUE"]
PAYMENTS = os.environ["PAYMENTS_QUEUE"]
SHIPPING = os.environ["SHIPPING_QUEUE"]
STATUS = os.environ["ORDER_STATUS_QUEUE"]
PAYMENTS_API = os.environ["PAYMENTS_API_URL"]
SHIPPING_API = os.environ["SHIPPING_API_URL"]


def post(url, body):
    """Returns (status, json body); status 0 when there was no answer."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}
    except (urllib.error.URLError, OSError) as e:
        print("no answer from", url, e, flush=True)
        return 0, {}


conn = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
ch = conn.channel()
ch.confirm_delivery()
ch.basic_qos(prefetch_count=1)


def publish(queue, event):
    ch.basic_publish("", queue, json.dumps(event).encode(),
                     pika.BasicProperties(delivery_mode=2, content_type="application/json"))


def on_order(ch_, method, props, body):
    o = json.loads(body)
    publish(PAYMENTS, {"type": "order.placed", "orderId": o["orderId"],
                       "correlationId": o["correlationId"], "amount": o["total"]})
    ch.basic_ack(method.delivery_tag)


def on_placed(ch_, method, props, body):
    e = json.loads(body)
    oid, cid = e["orderId"], e["correlationId"]
    status, resp = post(PAYMENTS_API + "/charges", {"orderId": oid, "correlationId": cid,
                                                     "amount": e["amount"], "idempotencyKey": oid})
    if status == 200:
        publish(SHIPPING, {"type": "order.paid", "orderId": oid, "correlationId": cid,
                           "chargeId": resp.get("chargeId", "")})
        ch.basic_ack(method.delivery_tag)
    elif status == 402:
        publish(STATUS, {"type": "order.failed", "orderId": oid, "correlationId": cid,
                         "reason": "card declined"})
        ch.basic_ack(method.delivery_tag)
    else:
        print("charge failed, will retry", oid, status, flush=True)
        time.sleep(0.2)
        ch.basic_nack(method.delivery_tag, requeue=True)


def on_paid(ch_, method, props, body):
    e = json.loads(body)
    oid, cid = e["orderId"], e["correlationId"]
    status, resp = post(SHIPPING_API + "/shipments", {"orderId": oid, "correlationId": cid})
    if status != 200:
        print("ship failed, will retry", oid, status, flush=True)
        time.sleep(0.2)
        ch.basic_nack(method.delivery_tag, requeue=True)
        return
    publish(STATUS, {"type": "order.shipped", "orderId": oid, "correlationId": cid,
                     "shipmentId": resp.get("shipmentId", "")})
    ch.basic_ack(method.delivery_tag)


if ROLE == "order-service":
    for q in (ORDERS, PAYMENTS):
        ch.queue_declare(q, durable=True, auto_delete=True)
    ch.basic_consume(ORDERS, on_order)
elif ROLE == "payment-service":
    for q in (PAYMENTS, SHIPPING):
        ch.queue_declare(q, durable=True, auto_delete=True)
    ch.basic_consume(PAYMENTS, on_placed)
elif ROLE == "shipping-service":
    ch.queue_declare(SHIPPING, durable=True, auto_delete=True)
    ch.basic_consume(SHIPPING, on_paid)
else:
    raise SystemExit(f"unknown ROLE {ROLE!r}")

print(ROLE, "consuming", flush=True)
ch.start_consuming()
