"""WRONG: consumes the RabbitMQ queue with pika's auto_ack=True (RabbitMQ drops each message
as it sends it) instead of the manual acks the README asks for; everything else is right.
"""
import json
import math
import os
import threading
import time

import pika
import redis
from confluent_kafka import Consumer, KafkaException, Producer

MESSAGES = int(os.environ["BENCH_MESSAGES"])
SIZE = int(os.environ["BENCH_SIZE"])
BURST = int(os.environ["BENCH_BURST"])
INTERVAL_MS = int(os.environ["BENCH_INTERVAL_MS"])


def now_ms():
    return time.perf_counter() * 1000


def body(seq, sent_at):
    head = f"{seq} {sent_at:.3f} ".encode("latin-1")
    return head + b"." * (SIZE - len(head))


def sent_at_of(data):
    return float(data[:40].split(b" ")[1])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def measure(publish, start_consumer):
    """publish(list of bodies); start_consumer(on_message, ready_event, stop_event) runs in a thread."""
    latencies = []
    last = [0.0]
    lock = threading.Lock()

    def on_message(data):
        t = now_ms()
        with lock:
            latencies.append(t - sent_at_of(data))
            last[0] = t

    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=start_consumer, args=(on_message, ready, stop), daemon=True)
    thread.start()
    ready.wait(30)
    first = now_ms()
    for n, seq in enumerate(range(0, MESSAGES, BURST)):
        due = first + n * INTERVAL_MS
        if due > now_ms():
            time.sleep((due - now_ms()) / 1000)
        t = now_ms()
        publish([body(i, t) for i in range(seq, min(seq + BURST, MESSAGES))])
    deadline = time.time() + 20
    while len(latencies) < MESSAGES and time.time() < deadline:
        time.sleep(0.005)
    stop.set()
    thread.join(10)
    return {
        "count": len(latencies),
        "throughput": len(latencies) * 1000 / (last[0] - first),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


def measure_redis():
    stream, group = os.environ["BENCH_STREAM"], os.environ["BENCH_STREAM_GROUP"]
    producer = redis.Redis.from_url(os.environ["REDIS_URL"])

    def consume(on_message, ready, stop):
        r = redis.Redis.from_url(os.environ["REDIS_URL"])
        ready.set()
        while not stop.is_set():
            reply = r.xreadgroup(group, "bench-py", {stream: ">"}, count=1000, block=100)
            for _, entries in reply or []:
                for _, fields in entries:
                    on_message(fields[b"m"])
                if entries:
                    r.xack(stream, group, *[entry_id for entry_id, _ in entries])

    def publish(bodies):
        pipe = producer.pipeline(transaction=False)
        for b in bodies:
            pipe.xadd(stream, {"m": b})
        pipe.execute()

    return measure(publish, consume)


def measure_rabbitmq():
    url = pika.URLParameters(os.environ["AMQP_URL"])
    exchange, queue = os.environ["BENCH_EXCHANGE"], os.environ["BENCH_QUEUE"]
    connection = pika.BlockingConnection(url)
    channel = connection.channel()

    def consume(on_message, ready, stop):
        c = pika.BlockingConnection(url)
        ch = c.channel()
        ch.basic_qos(prefetch_count=500)

        def handle(ch_, method, _props, data):
            on_message(data)

        # auto_ack: no ack round trips, "the benchmark only needs the receive time"
        ch.basic_consume(queue, handle, auto_ack=True)
        ready.set()
        while not stop.is_set():
            c.process_data_events(time_limit=0.05)
        c.close()

    def publish(bodies):
        for b in bodies:
            channel.basic_publish(exchange, "", b, pika.BasicProperties(delivery_mode=2))

    try:
        return measure(publish, consume)
    finally:
        connection.close()


def measure_kafka():
    topic = os.environ["BENCH_TOPIC"]
    brokers = os.environ["KAFKA_BROKERS"]
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 0})

    def consume(on_message, ready, stop):
        consumer = Consumer({
            "bootstrap.servers": brokers,
            "group.id": os.environ["BENCH_GROUP_ID"],
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 100,
            # A program stopped by SIGTERM never closes its consumer: the group would keep it
            # as a member for the default 45 s.
            "session.timeout.ms": 6000,
        })
        assigned = threading.Event()
        consumer.subscribe([topic], on_assign=lambda c, partitions: assigned.set())
        # Ready once the group assigned the partition, and a moment later: librdkafka then
        # looks up where to start and begins fetching, which would otherwise be the first
        # burst's latency.
        while not assigned.is_set() and not stop.is_set():
            consumer.poll(0.05)
        settle = time.time() + 0.3
        while time.time() < settle:
            consumer.poll(0.05)
        ready.set()
        # poll() hands over each message as soon as it is there (consume(500, timeout) would
        # wait for 500 or the timeout); commits go asynchronously, the last one synchronously.
        while not stop.is_set():
            m = consumer.poll(0.05)
            if m is not None and m.error() is None:
                on_message(m.value())
                consumer.commit(message=m, asynchronous=True)
        try:
            consumer.commit(asynchronous=False)
        except KafkaException:
            pass  # nothing left to commit: the asynchronous commits had it all
        consumer.close()

    def publish(bodies):
        for b in bodies:
            producer.produce(topic, b)
        producer.poll(0)
        producer.flush()

    return measure(publish, consume)


# One broker after the other: measured at the same time they would slow each other down.
results = {"redis": measure_redis(), "rabbitmq": measure_rabbitmq(), "kafka": measure_kafka()}
path = os.environ["RESULTS_FILE"]
with open(path + ".tmp", "w") as f:
    json.dump(results, f, indent=2)
os.replace(path + ".tmp", path)
print(json.dumps(results), flush=True)
while True:  # keep running until the lab stops the program
    time.sleep(1)
