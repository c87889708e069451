"""
Wrong: LOG_EXCHANGE declared as a direct exchange ("it routes by key").
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
channel.exchange_declare(exchange, exchange_type="direct", durable=True)
for queue, pattern in TABLE.items():
    channel.queue_declare(prefix + queue, durable=True)
    channel.queue_bind(prefix + queue, exchange, routing_key=pattern)


def on_event(ch, method, properties, body):
    event = json.loads(body)
    try:
        ch.basic_publish(exchange, routing_key(event), body, pika.BasicProperties(delivery_mode=2, content_type="application/json"))
    except (pika.exceptions.NackError, pika.exceptions.UnroutableError):
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
        return
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=10)
channel.basic_consume(inbox, on_event, auto_ack=False)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.start_consuming()
