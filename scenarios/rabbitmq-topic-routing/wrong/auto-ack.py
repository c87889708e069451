"""
Wrong: consumes LOG_INBOX with auto_ack=True and publishes each event with a confirm,
one at a time. The confirm protects the publish, but the inbox message was acked the moment
RabbitMQ sent it: the events waiting in the program when it dies are gone.
"""
import json
import os
import signal
import sys

import pika

prefix = os.environ.get("NAME_PREFIX", "")
inbox = os.environ["LOG_INBOX"]
exchange = os.environ["LOG_EXCHANGE"]

TABLE = {
    "audit": "#",
    "eu-logs": "eu.#",
    "payments": "*.payments.*",
    "payments-all": "*.payments.#",
    "critical": "#.critical",
    "errors": "*.*.error",
    "us-errors": "us.#.error",
}


def routing_key(event):
    words = [event["region"], event["service"]]
    if event.get("subservice"):
        words.append(event["subservice"])
    words.append(event["severity"])
    return ".".join(words)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.exchange_declare(exchange, exchange_type="topic", durable=True)
for queue, pattern in TABLE.items():
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, exchange, routing_key=pattern)


def on_event(ch, method, properties, body):
    event = json.loads(body)
    # Confirmed: basic_publish returns once the broker has it.
    ch.basic_publish(exchange, routing_key(event), body, pika.BasicProperties(delivery_mode=2, content_type="application/json"))


# auto_ack: "the publish is confirmed, so nothing can be lost".
channel.basic_consume(inbox, on_event, auto_ack=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.start_consuming()
