"""
Wrong (content): the event id is a uuid5 of the orderId, "so that handling a command twice
gives the same id and consumers can deduplicate". But order.placed, order.paid and
order.shipped of one order then share one id, and a consumer that deduplicates by id drops
two of the three.
Must fail: unique-event-ids (shared-within-order).
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
NAMESPACE = uuid.UUID("6f1c1d4e-8a36-4c1b-9a51-3f9e3d0c2b10")


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
        "id": str(uuid.uuid5(NAMESPACE, command["orderId"])),
        "type": event_type,
        "version": version,
        "occurredAt": datetime.now(timezone.utc).isoformat(),
        "correlationId": command["correlationId"],
        "causationId": command["commandId"],
        "data": data,
    }
    ch.basic_publish(EVENTS_EXCHANGE, event_type, json.dumps(event), pika.BasicProperties(content_type="application/json", delivery_mode=2))
    ch.basic_ack(method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.basic_consume(COMMANDS_QUEUE, on_command)
channel.start_consuming()
