"""Wrong: on Kafka, commits each record BEFORE shipping it (commit on receipt); otherwise
correct (Python): drain RabbitMQ, then switch; pika with prefetch 1, then confluent-kafka
with enable.auto.commit=False and a synchronous commit(message). A kill mid-shipment loses
that order: the restarted program starts past it."""
import json, os, signal, sys, time, urllib.request, urllib.error

import pika
import redis
from confluent_kafka import Consumer, KafkaError

E = os.environ
QUEUE = E["ORDERS_QUEUE"]
TOPIC = E["ORDERS_TOPIC"]
PREFIX = E.get("KEY_PREFIX", "migrate:")
API = E["FULFILLMENT_API_URL"].rstrip("/")
FLAG = E["MIGRATION_FILE"]

r = redis.Redis.from_url(E["REDIS_URL"])
stopping = False


def on_term(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)


def producers_on():
    with open(FLAG) as f:
        return "kafka" if json.load(f).get("producers") == "kafka" else "rabbitmq"


def ship(body: bytes):
    req = urllib.request.Request(API + "/shipments", data=body, method="POST",
                                 headers={"content-type": "application/json",
                                          "x-instance-id": E.get("INSTANCE_ID", "1")})
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")


def process_once(body: bytes) -> None:
    order = json.loads(body)
    key = f"{PREFIX}shipped:{order['orderId']}"
    if r.exists(key):
        return
    ship(body)  # the order's JSON as it arrived
    r.set(key, "1")


# ---- phase A: RabbitMQ consumer until flag=kafka and queue empty and nothing in hand ----
conn = pika.BlockingConnection(pika.URLParameters(E["AMQP_URL"]))
ch = conn.channel()
ch.basic_qos(prefetch_count=1)
last_flag_check = 0.0
flag = producers_on()
drained = False
while not stopping and not drained:
    for method, props, body in ch.consume(QUEUE, auto_ack=False, inactivity_timeout=0.1):
        if stopping:
            break
        if method is not None:
            try:
                process_once(body)
                ch.basic_ack(method.delivery_tag)
            except Exception as e:  # not shipped: give it back
                print("ship failed:", e, file=sys.stderr)
                ch.basic_nack(method.delivery_tag, requeue=True)
                time.sleep(0.1)
        # between messages: nothing in hand (prefetch 1, one at a time)
        if time.monotonic() - last_flag_check >= 0.2:
            flag = producers_on()
            last_flag_check = time.monotonic()
        if flag == "kafka" and method is None:
            if ch.queue_declare(QUEUE, passive=True).method.message_count == 0:
                break
    ch.cancel()  # gives back anything pre-delivered but not handed to us
    if stopping:
        break
    if ch.queue_declare(QUEUE, passive=True).method.message_count == 0:
        drained = True
    # else: something came back / arrived: consume again

try:
    conn.close()
except Exception:
    pass

# ---- phase B: Kafka ----
conf = {
    "bootstrap.servers": E["KAFKA_BROKERS"],
    "group.id": E["GROUP_ID"],
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 3000,
    "heartbeat.interval.ms": 300,
    "fetch.wait.max.ms": 100,
}
if E.get("KAFKA_SASL_MECHANISM"):
    conf.update({"security.protocol": "SASL_PLAINTEXT",
                 "sasl.mechanism": E["KAFKA_SASL_MECHANISM"].upper(),
                 "sasl.username": E.get("KAFKA_SASL_USERNAME", ""),
                 "sasl.password": E.get("KAFKA_SASL_PASSWORD", "")})
consumer = Consumer(conf)
consumer.subscribe([TOPIC])
while not stopping:
    msg = consumer.poll(0.1)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() != KafkaError._PARTITION_EOF:
            print("kafka error:", msg.error(), file=sys.stderr)
        continue
    consumer.commit(message=msg, asynchronous=False)  # WRONG: before shipping
    while True:
        try:
            process_once(msg.value())
            break
        except Exception as e:
            print("ship failed, retrying:", e, file=sys.stderr)
            time.sleep(0.1)
            if stopping:
                break
    if stopping:
        break
consumer.close()
sys.exit(0)
