"""Alternative (Python, psycopg and confluent-kafka): the position lives in Kafka, on
POSITION_TOPIC, as Kafka Connect keeps its source offsets in a topic. Each batch is produced
with delivery callbacks and flushed; only when every record was delivered does the relay
produce {"lastChangeId": N} to POSITION_TOPIC (and flush that too). At start-up it reads the
last record of POSITION_TOPIC."""
import json
import os
import sys
import time

import psycopg
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

RELAY = "customers-relay"
BATCH = 100
CHANGES_TOPIC = os.environ["CHANGES_TOPIC"]
POSITION_TOPIC = os.environ["POSITION_TOPIC"]

kafka_conf = {"bootstrap.servers": os.environ["KAFKA_BROKERS"]}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    kafka_conf.update({
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
        "sasl.username": os.environ.get("KAFKA_SASL_USERNAME", ""),
        "sasl.password": os.environ.get("KAFKA_SASL_PASSWORD", ""),
    })

producer = Producer({**kafka_conf, "enable.idempotence": True, "acks": "all", "linger.ms": 5})


def load_position() -> int:
    """The last position on POSITION_TOPIC (one partition), 0 when there is none."""
    reader = Consumer({**kafka_conf, "group.id": f"{POSITION_TOPIC}.reader", "enable.auto.commit": False})
    try:
        partition = TopicPartition(POSITION_TOPIC, 0)
        _, high = reader.get_watermark_offsets(partition, timeout=10)
        if high <= 0:
            return 0
        reader.assign([TopicPartition(POSITION_TOPIC, 0, high - 1)])
        deadline = time.time() + 10
        while time.time() < deadline:
            message = reader.poll(0.5)
            if message is None or message.error():
                continue
            return int(json.loads(message.value())["lastChangeId"])
        raise RuntimeError("could not read the position from POSITION_TOPIC")
    finally:
        reader.close()


def publish_all(topic: str, records: list[tuple[str, str]]) -> None:
    """Produces the records and returns once Kafka acknowledged every one; raises otherwise."""
    errors: list[str] = []

    def delivered(error, _message):
        if error is not None:
            errors.append(str(error))

    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=delivered)
    remaining = producer.flush(15)
    if remaining > 0 or errors:
        raise KafkaException(f"{remaining} undelivered, errors: {errors[:3]}")


def change_of(row) -> str:
    customer_id, name, email, tier, updated_at, change_id = row
    return json.dumps({"changeId": change_id, "customerId": customer_id, "name": name, "email": email, "tier": tier, "updatedAt": updated_at.isoformat()})


position = load_position()
print(f"starting after change {position}", flush=True)
conn = None
while True:
    full = False
    try:
        if conn is None or conn.closed:
            conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        rows = conn.execute(
            "SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > %s ORDER BY change_id LIMIT %s",
            (position, BATCH),
        ).fetchall()
        if rows:
            publish_all(CHANGES_TOPIC, [(row[0], change_of(row)) for row in rows])
            last = rows[-1][5]
            publish_all(POSITION_TOPIC, [(RELAY, json.dumps({"lastChangeId": last}))])
            position = last
            full = len(rows) == BATCH
    except (psycopg.OperationalError, KafkaException, RuntimeError) as error:
        print(f"poll failed, retrying: {error}", file=sys.stderr, flush=True)
        conn = None
    if not full:
        time.sleep(0.1)
