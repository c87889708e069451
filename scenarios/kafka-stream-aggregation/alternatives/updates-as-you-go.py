"""
Alternative correct solution: Python with confluent-kafka, written another way. A poll loop;
every sale counted writes its window's updated result at once (a live dashboard: the latest
record per key counts), and a window is forgotten when stream time closes it, so its last
update is its final result. Offsets are committed by hand: the first sale of the oldest open
window, with the stream time in the commit's metadata, so a restart rebuilds the open windows
from their sales and judges lateness as before.
"""
import json
import os
import signal
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

WINDOW_MS = int(os.environ["WINDOW_MS"])
GRACE_MS = int(os.environ["GRACE_MS"])
SALES_TOPIC = os.environ["SALES_TOPIC"]
WINDOWS_TOPIC = os.environ["WINDOWS_TOPIC"]

common = {"bootstrap.servers": os.environ["KAFKA_BROKERS"]}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    common.update(
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
            "sasl.username": os.environ["KAFKA_SASL_USERNAME"],
            "sasl.password": os.environ["KAFKA_SASL_PASSWORD"],
        }
    )

consumer = Consumer(
    {
        **common,
        "group.id": os.environ["GROUP_ID"],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        # The lab's consumer timings (README): a restarted copy gets the partition back in 2 s.
        "session.timeout.ms": 2000,
        "heartbeat.interval.ms": 200,
        "fetch.wait.max.ms": 200,
    }
)
producer = Producer({**common, "acks": "all", "linger.ms": 0})

# The stream time of the last run, kept in the committed offset's metadata.
stream_time = None
committed = consumer.committed([TopicPartition(SALES_TOPIC, 0)], timeout=10)
if committed and committed[0].metadata:
    stream_time = json.loads(committed[0].metadata)["streamTime"]

windows = {}  # "<product>@<windowStart>" -> the open window


def leave(*_):
    consumer.close()
    producer.flush(5)
    sys.exit(0)


signal.signal(signal.SIGTERM, leave)
consumer.subscribe([SALES_TOPIC])

while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    sale = json.loads(message.value())
    event_time = sale["eventTime"]
    window_start = event_time - event_time % WINDOW_MS
    key = f"{sale['product']}@{window_start}"
    if stream_time is None or stream_time < window_start + WINDOW_MS + GRACE_MS:
        window = windows.setdefault(
            key,
            {"product": sale["product"], "windowStart": window_start, "count": 0, "sumCents": 0, "saleIds": set(), "firstOffset": message.offset()},
        )
        if sale["saleId"] not in window["saleIds"]:
            window["saleIds"].add(sale["saleId"])
            window["count"] += 1
            window["sumCents"] += sale["amountCents"]
            result = {k: window[k] for k in ("product", "windowStart", "count", "sumCents")}
            result["windowEnd"] = window_start + WINDOW_MS
            producer.produce(WINDOWS_TOPIC, key=key, value=json.dumps(result))
    # else: late, its window is closed: dropped.
    stream_time = event_time if stream_time is None else max(stream_time, event_time)
    for closed in [k for k, w in windows.items() if stream_time >= w["windowStart"] + WINDOW_MS + GRACE_MS]:
        del windows[closed]  # its last update was its final result
    producer.flush(10)
    oldest = min((w["firstOffset"] for w in windows.values()), default=message.offset() + 1)
    consumer.commit(
        offsets=[TopicPartition(SALES_TOPIC, message.partition(), oldest, metadata=json.dumps({"streamTime": stream_time}))],
        asynchronous=False,
    )
