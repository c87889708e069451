"""
Alternative correct solution: Python with pika. A blocking consumer with prefetch 1; the
topology is declared up front; notifications are published on the same channel in confirm
mode (basic_publish returns once the broker confirmed them), then the ticket is acked.
"""
import json
import os
import signal
import sys
import urllib.request

import pika

TICKETS_QUEUE = os.environ["TICKETS_QUEUE"]
NOTIFY_QUEUE = os.environ["NOTIFY_QUEUE"]
DEAD_LETTER_EXCHANGE = os.environ["DEAD_LETTER_EXCHANGE"]
DEAD_LETTER_QUEUE = os.environ["DEAD_LETTER_QUEUE"]
DEAD_LETTER_ROUTING_KEY = os.environ["DEAD_LETTER_ROUTING_KEY"]
TICKET_TTL_MS = int(os.environ["TICKET_TTL_MS"])
OFFER_TTL_MS = int(os.environ["OFFER_TTL_MS"])
AGENT_API_URL = os.environ["AGENT_API_URL"]

connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()

channel.exchange_declare(DEAD_LETTER_EXCHANGE, exchange_type="direct", durable=True)
channel.queue_declare(DEAD_LETTER_QUEUE, durable=True)
channel.queue_bind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, routing_key=DEAD_LETTER_ROUTING_KEY)
dead_lettering = {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": DEAD_LETTER_ROUTING_KEY}
channel.queue_declare(NOTIFY_QUEUE, durable=True, arguments=dead_lettering)
channel.queue_declare(
    TICKETS_QUEUE,
    durable=True,
    arguments={**dead_lettering, "x-message-ttl": TICKET_TTL_MS, "x-max-priority": 10},
)


def assign(ticket_id):
    request = urllib.request.Request(
        AGENT_API_URL,
        data=json.dumps({"ticketId": ticket_id}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status == 200


def notify(body, expiration=None):
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json", expiration=expiration)
    channel.basic_publish("", NOTIFY_QUEUE, json.dumps(body), properties)


def on_ticket(ch, method, properties, body):
    ticket = json.loads(body)
    try:
        assign(ticket["ticketId"])
        notify({"ticketId": ticket["ticketId"], "type": "receipt"})
        if ticket["urgent"]:
            notify({"ticketId": ticket["ticketId"], "type": "callback-offer"}, expiration=str(OFFER_TTL_MS))
    except Exception as error:  # the ticket goes back for another try
        print(error, file=sys.stderr)
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
        return
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=1)
channel.basic_consume(TICKETS_QUEUE, on_ticket, auto_ack=False)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
channel.start_consuming()
