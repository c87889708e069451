"""
Wrong (Python, confluent-kafka): hands each message to a thread pool to apply events faster.
The pool's threads run an account's events side by side, and they finish in any order.
"""
import os
import signal
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

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
pool = ThreadPoolExecutor(max_workers=8)


def leave(*_):
    pool.shutdown(wait=True)
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
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    pool.submit(apply_event, message.value())
    consumer.commit(message=message, asynchronous=True)
