"""
Wrong (content): causationId is set to the command's correlationId. The learner took the
two ids for the same idea ("what this event relates to"); the correlationId is the flow's,
shared by the three commands of an order, while the causationId is the one command that
caused this event: its commandId.
Must fail: correlation-and-causation (causation-is-correlation).
"""
import json
import os
import signal
import sys
import uuid
from datetime import datetime, timezone

import pika

COMMANDS_QUEUE = os.environ["COMMANDS_QUEUE"]
EVENTS_EXCHANGE = os.environ["EVENTS_EXCHANGE"]


def data_for(command):
    kind = command["type"]
    if kind == "PlaceOrder":
        data = {"orderId": command["orderId"], "customerId": command["customerId"], "items": command["items"], "total": command["total"]}
        if command.get("schemaVersion") == 2:
            return "order.placed", 2, {**data, "currency": command["currency"]}
        return "order.placed", 1, data
    if kind == "PayOrder":
        return "order.paid", 1, {"orderId": command["orderId"], "amount": command["amount"], "paymentMethod": command["paymentMethod"]}
    return "order.shipped", 1, {"orderId": command["orderId"], "carrier": command["carrier"], "trackingNumber": command["trackingNumber"]}


def on_command(ch, method, properties, body):
    command = json.loads(body)
    event_type, version, data = data_for(command)
    event = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurredAt": datetime.now(timezone.utc).isoformat(),
        "correlationId": command["correlationId"],
        "causationId": command["correlationId"],
        "data": data,
    }
    ch.basic_publish(EVENTS_EXCHANGE, event_type, json.dumps(event), pika.BasicProperties(content_type="application/json", delivery_mode=2))
    ch.basic_ack(method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.basic_consume(COMMANDS_QUEUE, on_command)
channel.start_consuming()
