"""
Wrong (Python, confluent-kafka): takes a batch with consume(), and applies its deposits before
its withdrawals "so that no balance goes negative". One event at a time, nothing in parallel,
but an account's withdrawal that came before its deposit is now applied after it.
"""
import json
import os
import signal
import sys
import urllib.request

from confluent_kafka import Consumer

config = {
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "group.id": os.environ["GROUP_ID"],
    "client.id": f"ledger-writer-{os.environ['INSTANCE_ID']}",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 200,
    "fetch.wait.max.ms": 200,
}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    config.update(
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
            "sasl.username": os.environ["KAFKA_SASL_USERNAME"],
            "sasl.password": os.environ["KAFKA_SASL_PASSWORD"],
        }
    )

consumer = Consumer(config)
consumer.subscribe([os.environ["ACCOUNT_EVENTS_TOPIC"]])


def leave(*_):
    consumer.close()
    sys.exit(0)


signal.signal(signal.SIGTERM, leave)


def apply_event(event: bytes) -> None:
    request = urllib.request.Request(
        os.environ["LEDGER_API_URL"] + "/events",
        data=event,
        headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        response.read()


while True:
    batch = [m for m in consumer.consume(num_messages=100, timeout=0.2) if not m.error()]
    if not batch:
        continue
    # Deposits first, then withdrawals (sorted() keeps the order within each type).
    for message in sorted(batch, key=lambda m: json.loads(m.value())["type"] != "deposit"):
        apply_event(message.value())
    consumer.commit(asynchronous=False)
