"""
Alternative correct solution: Python with confluent-kafka (librdkafka). Auto-commit off;
each payment is booked, then its message committed synchronously (commit(message) commits
offset + 1). librdkafka heartbeats from a background thread, so a held booking does not
cost this copy its partitions.
"""
import os
import signal
import sys
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer

config = {
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "group.id": os.environ["GROUP_ID"],
    "client.id": f"payments-processor-{os.environ['INSTANCE_ID']}",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    # The lab's consumer timings (README): a dead copy is noticed in 2 s.
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
consumer.subscribe([os.environ["PAYMENTS_TOPIC"]])


def leave(*_):
    consumer.close()
    sys.exit(0)


signal.signal(signal.SIGTERM, leave)


def book(payment: bytes) -> None:
    while True:
        request = urllib.request.Request(
            os.environ["LEDGER_API_URL"] + "/payments",
            data=payment,
            headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            time.sleep(0.05)  # the ledger was busy (503): book it again


while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    book(message.value())
    consumer.commit(message=message, asynchronous=False)
