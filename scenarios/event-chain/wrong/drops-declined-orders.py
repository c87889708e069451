"""
Wrong (content): when the payment is declined, the payment service logs it and acks the
message, and that is all: no order.failed event. The order just stops; nobody (the lab,
the customer service) learns that it failed, or why.
Must fail: order-outcomes (failure-not-recorded).
"""
import json
import os
import urllib.error
import urllib.request

import pika

ROLE = os.environ["ROLE"]
INSTANCE = os.environ.get("INSTANCE_ID", "1")


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json", "x-instance-id": INSTANCE}, method="POST"
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=5)
for name in ("ORDERS_QUEUE", "PAYMENTS_QUEUE", "SHIPPING_QUEUE"):
    channel.queue_declare(os.environ[name], durable=True)


def emit(queue, event):
    channel.basic_publish("", queue, json.dumps(event), pika.BasicProperties(delivery_mode=2, content_type="application/json"))


def on_order(ch, method, properties, body):
    order = json.loads(body)
    emit(os.environ["PAYMENTS_QUEUE"], {"type": "order.placed", "orderId": order["orderId"], "correlationId": order["correlationId"], "amount": order["total"]})
    ch.basic_ack(method.delivery_tag)


def on_placed(ch, method, properties, body):
    placed = json.loads(body)
    status, answer = post(
        os.environ["PAYMENTS_API_URL"] + "/charges",
        {"orderId": placed["orderId"], "correlationId": placed["correlationId"], "amount": placed["amount"], "idempotencyKey": placed["orderId"]},
    )
    if status == 200:
        emit(os.environ["SHIPPING_QUEUE"], {"type": "order.paid", "orderId": placed["orderId"], "correlationId": placed["correlationId"], "chargeId": answer["chargeId"]})
    else:
        print(f"payment for {placed['orderId']} declined: {answer.get('error')}", flush=True)
    ch.basic_ack(method.delivery_tag)


def on_paid(ch, method, properties, body):
    paid = json.loads(body)
    status, answer = post(os.environ["SHIPPING_API_URL"] + "/shipments", {"orderId": paid["orderId"], "correlationId": paid["correlationId"]})
    if status == 200:
        emit(os.environ["ORDER_STATUS_QUEUE"], {"type": "order.shipped", "orderId": paid["orderId"], "correlationId": paid["correlationId"], "shipmentId": answer["shipmentId"]})
        ch.basic_ack(method.delivery_tag)
    else:
        ch.basic_nack(method.delivery_tag, requeue=True)


if ROLE == "order-service":
    channel.basic_consume(os.environ["ORDERS_QUEUE"], on_order)
elif ROLE == "payment-service":
    channel.basic_consume(os.environ["PAYMENTS_QUEUE"], on_placed)
else:
    channel.basic_consume(os.environ["SHIPPING_QUEUE"], on_paid)
channel.start_consuming()
