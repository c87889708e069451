"""
WRONG (configuration, Python): a "setup script": declares the exchanges, queues and bindings,
closes the connection and exits. The topology stays, but the README asks for a program that
keeps running until the lab stops it.
Must trip: program-starts (it ended on its own).
"""
import os
import time

import pika

url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
prefix = os.environ.get("NAME_PREFIX", "")

connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()

# shop.events: topic
channel.exchange_declare(prefix + "shop.events", exchange_type="topic", durable=True)
for queue, key in [("audit", "#"), ("eu-orders", "orders.eu.*"),
                   ("payments", "payments.#"), ("returns", "*.*.returned")]:
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, prefix + "shop.events", routing_key=key)

# shop.notifications: fanout
channel.exchange_declare(prefix + "shop.notifications", exchange_type="fanout", durable=True)
for queue in ["email", "sms"]:
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, prefix + "shop.notifications", routing_key="")

# shop.commands: direct
channel.exchange_declare(prefix + "shop.commands", exchange_type="direct", durable=True)
for queue, key in [("invoices", "invoice.create"), ("invoices", "invoice.resend"),
                   ("refunds", "refund.create")]:
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, prefix + "shop.commands", routing_key=key)

# shop.escalations: headers
channel.exchange_declare(prefix + "shop.escalations", exchange_type="headers", durable=True)
channel.queue_declare(prefix + "vip-support", durable=True)
channel.queue_bind(prefix + "vip-support", prefix + "shop.escalations", routing_key="",
                   arguments={"x-match": "all", "tier": "gold", "region": "eu"})
channel.queue_declare(prefix + "fraud-review", durable=True)
channel.queue_bind(prefix + "fraud-review", prefix + "shop.escalations", routing_key="",
                   arguments={"x-match": "any", "risk": "high", "chargeback": "yes"})

print("topology declared", flush=True)

connection.close()
