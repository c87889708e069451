"""Wrong (Python): the relay polls by timestamp, WHERE updated_at > the last updated_at it
published (Kafka Connect's JDBC source calls this "timestamp" mode), and saves that
timestamp with the change id after each acknowledged batch. now() is the time a transaction
began, so an update committed after later changes carries an older updated_at than theirs:
the relay has moved past it and never publishes it."""
import json
import os
import sys
import time
from datetime import datetime, timezone

import psycopg
from confluent_kafka import KafkaException, Producer

RELAY = "customers-relay"
BATCH = 100
CHANGES_TOPIC = os.environ["CHANGES_TOPIC"]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

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
saved = conn.execute("SELECT last_updated_at FROM relay_position WHERE relay = %s", (RELAY,)).fetchone()
last_seen = saved[0] if saved and saved[0] is not None else EPOCH
print(f"starting after {last_seen.isoformat()}", flush=True)
while True:
    try:
        if conn.closed:
            conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        rows = conn.execute(
            "SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE updated_at > %s ORDER BY updated_at, change_id LIMIT %s",
            (last_seen, BATCH),
        ).fetchall()
        if rows:
            publish_all([(row[0], change_of(row)) for row in rows])
            last = rows[-1]
            conn.execute(
                """INSERT INTO relay_position (relay, last_change_id, last_updated_at, saved_at) VALUES (%s, %s, %s, now())
                   ON CONFLICT (relay) DO UPDATE SET last_change_id = EXCLUDED.last_change_id, last_updated_at = EXCLUDED.last_updated_at, saved_at = now()""",
                (RELAY, last[5], last[4]),
            )
            last_seen = last[4]
    except (psycopg.OperationalError, KafkaException) as error:
        print(f"poll failed, retrying: {error}", file=sys.stderr, flush=True)
    time.sleep(0.1)
