"""
Alternative correct solution: Python with pika. One function builds every envelope; a dict
maps each command type to its event type and a data builder; version 2 of order.placed is
version 1's data plus currency. Events go out with publisher confirms, persistent, with the
type as the routing key; the command is acked after the broker confirmed its event.
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


def placed(command):
    data = {key: command[key] for key in ("orderId", "customerId", "items", "total")}
    if command.get("schemaVersion") == 2:
        return 2, {**data, "currency": command["currency"]}
    return 1, data


EVENTS = {
    "PlaceOrder": ("order.placed", placed),
    "PayOrder": ("order.paid", lambda c: (1, {"orderId": c["orderId"], "amount": c["amount"], "paymentMethod": c["paymentMethod"]})),
    "ShipOrder": ("order.shipped", lambda c: (1, {"orderId": c["orderId"], "carrier": c["carrier"], "trackingNumber": c["trackingNumber"]})),
}


def event_for(command):
    event_type, build = EVENTS[command["type"]]
    version, data = build(command)
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurredAt": datetime.now(timezone.utc).isoformat(),
        "correlationId": command["correlationId"],
        "causationId": command["commandId"],
        "data": data,
    }


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.basic_qos(prefetch_count=10)


def on_command(ch, method, properties, body):
    event = event_for(json.loads(body))
    ch.basic_publish(
        EVENTS_EXCHANGE,
        event["type"],
        json.dumps(event),
        pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=event["id"], type=event["type"]),
    )
    ch.basic_ack(method.delivery_tag)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.basic_consume(COMMANDS_QUEUE, on_command)
channel.start_consuming()
