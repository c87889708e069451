"""
Wrong (latency): one order per call, one call at a time. pika delivers an order, the
handler posts it to the order-status service with urllib and waits for the answer, then
acks; with a prefetch of 1 nothing else happens meanwhile. Correct, and about 150 orders a
second: far below 1000.
Must fail: sustains-rate (one-at-a-time), latency-under-load (fell-behind).
"""
import json
import os
import urllib.request

import pika

STATUS_API_URL = os.environ["STATUS_API_URL"]


def mark_accepted(order_ids):
    body = json.dumps({"status": "accepted", "orderIds": order_ids}).encode()
    request = urllib.request.Request(f"{STATUS_API_URL}/statuses", data=body, headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def on_order(channel, method, properties, body):
    order = json.loads(body)
    try:
        mark_accepted([order["orderId"]])
        channel.basic_ack(delivery_tag=method.delivery_tag)
    except Exception as error:  # noqa: BLE001
        print(f"order {order.get('orderId')}: {error}", flush=True)
        channel.basic_nack(delivery_tag=method.delivery_tag, requeue=True)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue=os.environ["ORDER_QUEUE"], on_message_callback=on_order)
channel.start_consuming()
