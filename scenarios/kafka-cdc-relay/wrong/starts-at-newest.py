"""Wrong (Python): the relay starts at the newest change in the table ("only new changes
matter") and keeps its position in a variable. Rows that existed before it started, and
changes made while the lab had it killed, are never published."""
import json
import os
import sys
import time

import psycopg
from confluent_kafka import KafkaException, Producer

BATCH = 100
CHANGES_TOPIC = os.environ["CHANGES_TOPIC"]

kafka_conf = {"bootstrap.servers": os.environ["KAFKA_BROKERS"]}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    kafka_conf.update({
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
        "sasl.username": os.environ.get("KAFKA_SASL_USERNAME", ""),
        "sasl.password": os.environ.get("KAFKA_SASL_PASSWORD", ""),
    })
producer = Producer({**kafka_conf, "enable.idempotence": True, "acks": "all", "linger.ms": 5})


def publish_all(records: list[tuple[str, str]]) -> None:
    errors: list[str] = []

    def delivered(error, _message):
        if error is not None:
            errors.append(str(error))

    for key, value in records:
        producer.produce(CHANGES_TOPIC, key=key, value=value, on_delivery=delivered)
    remaining = producer.flush(15)
    if remaining > 0 or errors:
        raise KafkaException(f"{remaining} undelivered, errors: {errors[:3]}")


def change_of(row) -> str:
    customer_id, name, email, tier, updated_at, change_id = row
    return json.dumps({"changeId": change_id, "customerId": customer_id, "name": name, "email": email, "tier": tier, "updatedAt": updated_at.isoformat()})


conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
# Start at the head of the table: what is already there is old news.
position = conn.execute("SELECT coalesce(max(change_id), 0) FROM customers").fetchone()[0]
print(f"starting after change {position}", flush=True)
while True:
    try:
        if conn.closed:
            conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        rows = conn.execute(
            "SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > %s ORDER BY change_id LIMIT %s",
            (position, BATCH),
        ).fetchall()
        if rows:
            publish_all([(row[0], change_of(row)) for row in rows])
            position = rows[-1][5]
    except (psycopg.OperationalError, KafkaException) as error:
        print(f"poll failed, retrying: {error}", file=sys.stderr, flush=True)
    time.sleep(0.1)
