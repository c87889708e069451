"""WRONG (restart-state): librdkafka's enable.auto.commit left on (the default: every 5 s it commits whatever poll() returned) while the open windows live only in memory. A kill after a commit loses the open window's counts. (Found by an independent probe.)"""
import json
import os
import signal

from confluent_kafka import Consumer, Producer, TopicPartition

brokers = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092")
sales_topic = os.environ.get("SALES_TOPIC", "sales")
windows_topic = os.environ.get("WINDOWS_TOPIC", "sales-per-window")
group_id = os.environ.get("GROUP_ID", "sales-aggregator")
WINDOW_MS = int(os.environ.get("WINDOW_MS", "10000"))
GRACE_MS = int(os.environ.get("GRACE_MS", "5000"))

common = {"bootstrap.servers": brokers}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    common.update({
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
        "sasl.username": os.environ.get("KAFKA_SASL_USERNAME", ""),
        "sasl.password": os.environ.get("KAFKA_SASL_PASSWORD", ""),
    })

consumer = Consumer({
    **common,
    "group.id": group_id,
    "auto.offset.reset": "earliest",
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 200,
    "fetch.wait.max.ms": 200,
})
producer = Producer({**common, "acks": "all", "enable.idempotence": True})

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)

stream_time = None
try:
    committed = consumer.committed([TopicPartition(sales_topic, 0)], timeout=10)
    meta = committed[0].metadata if committed else None
    if meta:
        stream_time = json.loads(meta).get("streamTime")
except Exception:
    pass

# key -> dict(product, windowStart, count, sumCents, ids, first)
open_windows = {}

consumer.subscribe([sales_topic])
while running:
    msg = consumer.poll(0.2)
    if msg is None:
        continue
    if msg.error():
        continue
    sale = json.loads(msg.value().decode("utf-8"))
    et = int(sale["eventTime"])
    ws = et - et % WINDOW_MS
    if stream_time is None or stream_time < ws + WINDOW_MS + GRACE_MS:
        key = f"{sale['product']}@{ws}"
        w = open_windows.get(key)
        if w is None:
            w = open_windows[key] = {"product": sale["product"], "windowStart": ws, "count": 0,
                                     "sumCents": 0, "ids": set(), "first": msg.offset()}
        if sale["saleId"] not in w["ids"]:
            w["ids"].add(sale["saleId"])
            w["count"] += 1
            w["sumCents"] += int(sale["amountCents"])
    stream_time = et if stream_time is None else max(stream_time, et)
    wrote = False
    for key in list(open_windows):
        w = open_windows[key]
        if stream_time >= w["windowStart"] + WINDOW_MS + GRACE_MS:
            value = {"product": w["product"], "windowStart": w["windowStart"],
                     "windowEnd": w["windowStart"] + WINDOW_MS, "count": w["count"], "sumCents": w["sumCents"]}
            producer.produce(windows_topic, key=key.encode("utf-8"), value=json.dumps(value).encode("utf-8"))
            del open_windows[key]
            wrote = True
    if wrote:
        producer.flush()

consumer.close()
producer.flush()
