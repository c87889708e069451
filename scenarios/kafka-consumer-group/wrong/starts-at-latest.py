"""
Wrong (configuration), Python with confluent-kafka: everything right (auto-commit off, a
commit after each booking, the lab's timings), but auto.offset.reset=latest ("only new
payments matter"). The group has no committed offsets yet, so the copies start at the end
of the topic: the payments already waiting there are never booked.
Must fail: no-lost-messages (missed-first).
"""
import os
import signal
import sys
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer

consumer = Consumer(
    {
        "bootstrap.servers": os.environ["KAFKA_BROKERS"],
        "group.id": os.environ["GROUP_ID"],
        "auto.offset.reset": "latest",
        "enable.auto.commit": False,
        "session.timeout.ms": 2000,
        "heartbeat.interval.ms": 200,
        "fetch.wait.max.ms": 200,
    }
)
consumer.subscribe([os.environ["PAYMENTS_TOPIC"]])
signal.signal(signal.SIGTERM, lambda *_: (consumer.close(), sys.exit(0)))


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
            time.sleep(0.05)  # the ledger was busy: book it again


while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    book(message.value())
    consumer.commit(message=message, asynchronous=False)
