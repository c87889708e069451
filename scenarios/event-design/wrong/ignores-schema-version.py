"""
Wrong (content): the service always publishes version 1, whatever the command asks for.
The learner wrote the v1 events first and never read the commands' schemaVersion: in the
evolution step order.placed stays version 1, without currency. Old readers are happy;
readers that need version 2 never get it.
Must fail: schema-evolution (not-upgraded).
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
VERSION = 1

DATA = {
    "PlaceOrder": ("order.placed", ("orderId", "customerId", "items", "total")),
    "PayOrder": ("order.paid", ("orderId", "amount", "paymentMethod")),
    "ShipOrder": ("order.shipped", ("orderId", "carrier", "trackingNumber")),
}


def on_command(ch, method, properties, body):
    command = json.loads(body)
    event_type, fields = DATA[command["type"]]
    event = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": VERSION,
        "occurredAt": datetime.now(timezone.utc).isoformat(),
        "correlationId": command["correlationId"],
        "causationId": command["commandId"],
        "data": {field: command[field] for field in fields},
    }
    ch.basic_publish(EVENTS_EXCHANGE, event_type, json.dumps(event), pika.BasicProperties(content_type="application/json", delivery_mode=2))
    ch.basic_ack(method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.basic_consume(COMMANDS_QUEUE, on_command)
channel.start_consuming()
