"""
Alternative solution (Python, pika): the three services in one file, by ROLE, one message
at a time (prefetch 1). Between the services the correlation id travels in the AMQP
properties (correlation_id) and the bodies carry only the data; the calls and the two final
events carry it in the body, as the lab reads it there. Publisher confirms: basic_publish
returns once RabbitMQ has the event, and only then is the message that caused it acked.
The idempotency key is derived from the order id.
"""
import json
import os
import sys
import urllib.error
import urllib.request

import pika

ROLE = os.environ["ROLE"]
ORDERS = os.environ["ORDERS_QUEUE"]
PAYMENTS = os.environ["PAYMENTS_QUEUE"]
SHIPPING = os.environ["SHIPPING_QUEUE"]
STATUS = os.environ["ORDER_STATUS_QUEUE"]


def post(url, body):
    """POSTs JSON; returns (status, parsed body). A status of 0 means no answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-instance-id": os.environ.get("INSTANCE_ID", "1")},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError as error:
        return 0, {"error": str(error)}


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.basic_qos(prefetch_count=1)
for queue in (ORDERS, PAYMENTS, SHIPPING):
    channel.queue_declare(queue, durable=True)


def publish(queue, body, correlation_id):
    channel.basic_publish(
        "",
        queue,
        json.dumps(body),
        pika.BasicProperties(content_type="application/json", delivery_mode=2, correlation_id=correlation_id, type=body.get("type")),
    )


def place(ch, method, properties, body):
    order = json.loads(body)
    publish(PAYMENTS, {"type": "order.placed", "orderId": order["orderId"], "amount": order["total"]}, order["correlationId"])
    ch.basic_ack(method.delivery_tag)


def pay(ch, method, properties, body):
    event = json.loads(body)
    order_id, correlation_id = event["orderId"], properties.correlation_id
    status, answer = post(
        os.environ["PAYMENTS_API_URL"] + "/charges",
        {"orderId": order_id, "correlationId": correlation_id, "amount": event["amount"], "idempotencyKey": "charge-" + order_id},
    )
    if status == 200:
        publish(SHIPPING, {"type": "order.paid", "orderId": order_id, "chargeId": answer.get("chargeId")}, correlation_id)
    elif status == 402:
        failed = {"type": "order.failed", "orderId": order_id, "correlationId": correlation_id, "reason": answer.get("error", "declined")}
        publish(STATUS, failed, correlation_id)
    else:
        connection.sleep(0.2)
        ch.basic_nack(method.delivery_tag, requeue=True)
        return
    ch.basic_ack(method.delivery_tag)


def send(ch, method, properties, body):
    event = json.loads(body)
    order_id, correlation_id = event["orderId"], properties.correlation_id
    status, answer = post(os.environ["SHIPPING_API_URL"] + "/shipments", {"orderId": order_id, "correlationId": correlation_id})
    if status != 200:
        connection.sleep(0.2)
        ch.basic_nack(method.delivery_tag, requeue=True)
        return
    shipped = {"type": "order.shipped", "orderId": order_id, "correlationId": correlation_id, "shipmentId": answer.get("shipmentId")}
    publish(STATUS, shipped, correlation_id)
    ch.basic_ack(method.delivery_tag)


handlers = {"order-service": (ORDERS, place), "payment-service": (PAYMENTS, pay), "shipping-service": (SHIPPING, send)}
if ROLE not in handlers:
    sys.exit(f"unknown ROLE {ROLE!r}")
queue, handler = handlers[ROLE]
channel.basic_consume(queue, handler)
try:
    channel.start_consuming()
except KeyboardInterrupt:
    pass
