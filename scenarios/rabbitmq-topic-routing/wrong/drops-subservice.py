"""
Wrong: the key is always three words, region.service.severity: the sub-service
is dropped, so eu.payments.card.error goes out as eu.payments.error.
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
    return "%s.%s.%s" % (event["region"], event["service"], event["severity"])


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
channel.exchange_declare(exchange, exchange_type="topic", durable=True)
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
