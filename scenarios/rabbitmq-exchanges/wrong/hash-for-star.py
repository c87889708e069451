"""
Wrong (content), Python with pika: binds eu-orders with orders.eu.# ("every EU order"), where
the table says orders.eu.*. A # takes any number of words, so orders.eu.de.placed (a German
order, not one of the EU shop's) lands in eu-orders too.
Must fail: routes-as-specified (too-broad).
"""
import os
import signal
import sys

import pika

prefix = os.environ.get("NAME_PREFIX", "")
connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()

for exchange, kind in [("shop.events", "topic"), ("shop.notifications", "fanout"), ("shop.commands", "direct"), ("shop.escalations", "headers")]:
    channel.exchange_declare(prefix + exchange, exchange_type=kind, durable=True)

rows = [
    ("audit", "shop.events", "#", None),
    ("eu-orders", "shop.events", "orders.eu.#", None),
    ("payments", "shop.events", "payments.#", None),
    ("returns", "shop.events", "*.*.returned", None),
    ("email", "shop.notifications", "", None),
    ("sms", "shop.notifications", "", None),
    ("invoices", "shop.commands", "invoice.create", None),
    ("invoices", "shop.commands", "invoice.resend", None),
    ("refunds", "shop.commands", "refund.create", None),
    ("vip-support", "shop.escalations", "", {"x-match": "all", "tier": "gold", "region": "eu"}),
    ("fraud-review", "shop.escalations", "", {"x-match": "any", "risk": "high", "chargeback": "yes"}),
]
for queue, exchange, key, headers in rows:
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, prefix + exchange, routing_key=key, arguments=headers)

signal.signal(signal.SIGTERM, lambda *_: (connection.close(), sys.exit(0)))
while True:
    connection.process_data_events(time_limit=1)
