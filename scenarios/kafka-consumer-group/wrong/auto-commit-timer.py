"""
Wrong (commit timing), Python with confluent-kafka: one consumer per copy in GROUP_ID,
books each payment, and leaves librdkafka's defaults for offsets: enable.auto.commit=true
commits every 5 seconds whatever poll() has returned, booked or not. When a copy dies just
after a commit, the payment it was booking is committed and never booked.
Must fail: no-lost-messages (lost-at-kill), offsets-committed-after-processing (committed-ahead).
"""
import json
import os
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer

config = {
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "group.id": os.environ["GROUP_ID"],
    "client.id": f"payments-processor-{os.environ.get('INSTANCE_ID', '1')}",
    "auto.offset.reset": "earliest",
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


def book(payment: bytes) -> None:
    while True:
        request = urllib.request.Request(
            os.environ["LEDGER_API_URL"] + "/payments",
            data=payment,
            headers={"content-type": "application/json", "x-instance-id": os.environ.get("INSTANCE_ID", "1")},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request):
                return
        except urllib.error.HTTPError:
            time.sleep(0.05)  # the ledger was busy (503): book it again


consumer = Consumer(config)
consumer.subscribe([os.environ["PAYMENTS_TOPIC"]])
while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    book(message.value())
