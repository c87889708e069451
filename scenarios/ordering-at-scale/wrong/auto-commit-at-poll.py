"""
WRONG (ack-timing): leaves confluent-kafka's auto-commit on, as it is by default, and never
commits itself. librdkafka stores a message's offset when poll() returns it, before it is
applied, and commits what is stored every 5 s from a background thread: while an event is
being applied its offset can already be committed. When the lab kills the copy mid-apply, the
restarted copy goes on after that event, and it is never applied.
Otherwise the same as alternatives/commit-after-apply.py.
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
    "client.id": f"ledger-writer-{os.environ['INSTANCE_ID']}",
    "auto.offset.reset": "earliest",
    # The lab's consumer timings (README): rebalances take a moment, not seconds.
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
    while True:
        request = urllib.request.Request(
            os.environ["LEDGER_API_URL"] + "/events",
            data=event,
            headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            time.sleep(0.05)  # not applied: apply it again before moving on


while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    apply_event(message.value())  # auto-commit commits for us (but what poll() returned)
