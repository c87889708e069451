"""
Wrong (content): occurredAt is datetime.utcnow().isoformat(): "2025-03-01T12:00:00.123456",
UTC but without saying so. A reader in another time zone takes it as local time; ISO 8601
for an event needs the zone (Z or +00:00).
Must fail: events-follow-schema (envelope-violation).
"""
import json
import os
import signal
import sys
import uuid
from datetime import datetime

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
        "occurredAt": datetime.utcnow().isoformat(),
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
