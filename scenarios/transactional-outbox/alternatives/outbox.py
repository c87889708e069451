"""Alternative solution in Python (psycopg 3 and pika), written differently from the reference.

The service writes the order and its outbox row in one transaction (`with conn.transaction()`)
and acks the command after the commit. The relay claims unsent rows with SELECT ... FOR UPDATE
SKIP LOCKED inside a transaction, publishes them on a confirming channel, and marks them sent
in that same transaction, which commits only after RabbitMQ confirmed every publish: killed
before the commit, the rows are unsent and unlocked again, and are published again under the
same event_id. Both reconnect to PostgreSQL after an error (it may have restarted).
"""
import json
import os
import sys
import time

import pika
import psycopg
from psycopg.types.json import Json

ROLE = os.environ["ROLE"]
AMQP_URL = os.environ["AMQP_URL"]
ORDERS_QUEUE = os.environ["ORDERS_QUEUE"]
EVENTS_EXCHANGE = os.environ["EVENTS_EXCHANGE"]
DATABASE_URL = os.environ["DATABASE_URL"]
ROUTING_KEY = "order.placed"
EVENT_TYPE = "OrderPlaced"

_db = None


def db():
    """The connection, opened again when the last one broke (PostgreSQL restarted)."""
    global _db
    if _db is None or _db.closed or _db.broken:
        _db = psycopg.connect(DATABASE_URL, connect_timeout=5)
    return _db


def forget_db():
    global _db
    if _db is not None:
        try:
            _db.close()
        except Exception:
            pass
    _db = None


def log(message):
    print(message, file=sys.stderr, flush=True)


def place_order(order):
    conn = db()
    with conn.transaction():
        cur = conn.execute(
            "INSERT INTO orders (order_id, customer, amount_cents) VALUES (%s, %s, %s) ON CONFLICT (order_id) DO NOTHING",
            (order["orderId"], order["customer"], order["amountCents"]),
        )
        if cur.rowcount == 1:
            payload = {"orderId": order["orderId"], "customer": order["customer"], "amountCents": order["amountCents"]}
            conn.execute(
                "INSERT INTO outbox (aggregate_id, event_type, payload) VALUES (%s, %s, %s)",
                (order["orderId"], EVENT_TYPE, Json(payload)),
            )


def service():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)

    def on_order(ch, method, properties, body):
        order = json.loads(body)
        try:
            place_order(order)
        except psycopg.errors.CheckViolation:
            log(f"order {order['orderId']} refused: amountCents {order['amountCents']}")
        except psycopg.OperationalError as error:
            log(f"order {order['orderId']} not placed yet: {error}")
            forget_db()
            connection.sleep(0.5)
            ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
            return
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_consume(queue=ORDERS_QUEUE, on_message_callback=on_order)
    channel.start_consuming()


def publish_pending(channel):
    conn = db()
    with conn.transaction():
        rows = conn.execute(
            "SELECT id, event_id::text, event_type, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED"
        ).fetchall()
        for _id, event_id, event_type, payload in rows:
            event = {"eventId": event_id, "type": event_type, **payload}
            # On a confirming channel basic_publish returns once RabbitMQ confirmed it (raises if nacked).
            channel.basic_publish(
                exchange=EVENTS_EXCHANGE,
                routing_key=ROUTING_KEY,
                body=json.dumps(event),
                properties=pika.BasicProperties(delivery_mode=2, message_id=event_id, content_type="application/json"),
            )
        if rows:
            conn.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY(%s)", ([r[0] for r in rows],))
    return len(rows)


def relay():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()
    while True:
        try:
            if publish_pending(channel) == 0:
                connection.sleep(0.1)  # keeps the AMQP connection's heartbeats going
        except psycopg.OperationalError as error:
            log(f"relay: {error}; trying again")
            forget_db()
            connection.sleep(0.5)


if ROLE == "relay":
    relay()
else:
    service()
