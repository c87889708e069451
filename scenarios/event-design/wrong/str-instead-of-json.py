"""
WRONG (content, Python): publishes str(event), Python's own notation (single quotes, True,
None), instead of json.dumps(event): no event is JSON, so none can be traced to its command.
Must trip: correlation-and-causation (unreadable-events) and events-follow-schema (not-json).
"""
import json
import os
import uuid
from datetime import datetime, timezone

import pika

AMQP_URL = os.environ["AMQP_URL"]
COMMANDS_QUEUE = os.environ["COMMANDS_QUEUE"]
EVENTS_EXCHANGE = os.environ["EVENTS_EXCHANGE"]

EVENT_TYPES = {"PlaceOrder": "order.placed", "PayOrder": "order.paid", "ShipOrder": "order.shipped"}


def build_event(command):
    kind = command["type"]
    version = 1
    if kind == "PlaceOrder":
        data = {k: command[k] for k in ("orderId", "customerId", "items", "total")}
        if command.get("schemaVersion") == 2:
            version = 2
            data["currency"] = command["currency"]
    elif kind == "PayOrder":
        data = {k: command[k] for k in ("orderId", "amount", "paymentMethod")}
    elif kind == "ShipOrder":
        data = {k: command[k] for k in ("orderId", "carrier", "trackingNumber")}
    else:
        raise ValueError(f"unknown command {kind}")
    return {
        "id": str(uuid.uuid4()),
        "type": EVENT_TYPES[kind],
        "version": version,
        "occurredAt": datetime.now(timezone.utc).isoformat(),
        "correlationId": command["correlationId"],
        "causationId": command["commandId"],
        "data": data,
    }


def on_command(channel, method, properties, body):
    command = json.loads(body)
    event = build_event(command)
    channel.basic_publish(
        EVENTS_EXCHANGE,
        event["type"],
        str(event),
        pika.BasicProperties(content_type="application/json", delivery_mode=2),
    )
    channel.basic_ack(method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.basic_qos(prefetch_count=10)
channel.basic_consume(COMMANDS_QUEUE, on_command)
try:
    channel.start_consuming()
except KeyboardInterrupt:
    pass
finally:
    try:
        connection.close()
    except Exception:
        pass
