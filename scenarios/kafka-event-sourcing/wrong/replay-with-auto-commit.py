"""
Wrong (Python, confluent-kafka): meant as the replay design, with the states only in memory,
but enable.auto.commit is left at librdkafka's default (on): the client commits the offsets
poll() returned every 5 s (auto.commit.interval.ms). The learner thinks
auto.offset.reset=earliest replays at every start; it only applies to a group without
commits, so the restarted program goes on from the committed offsets with empty states.
(Written by an independent learner from the README alone.)
"""
import json, os, signal, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException, KafkaError
from confluent_kafka.admin import AdminClient, NewTopic

brokers = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092")
actions_topic = os.environ.get("USER_ACTIONS_TOPIC", "user-actions")
state_topic = os.environ.get("USER_STATE_TOPIC", "user-state")
group = os.environ.get("GROUP_ID", "user-state-builder")
rf = int(os.environ.get("REPLICATION_FACTOR", "1"))

base = {"bootstrap.servers": brokers}
if os.environ.get("KAFKA_SASL_MECHANISM"):
    base.update({"security.protocol": "SASL_PLAINTEXT",
                 "sasl.mechanism": os.environ["KAFKA_SASL_MECHANISM"].upper(),
                 "sasl.username": os.environ.get("KAFKA_SASL_USERNAME", ""),
                 "sasl.password": os.environ.get("KAFKA_SASL_PASSWORD", "")})

def empty(uid):
    return {"userId": uid, "email": None, "plan": None, "status": None, "cart": {}, "version": 0}

def apply(s, a):
    s = dict(s); s["cart"] = dict(s["cart"]); s["version"] = s["version"] + 1
    t = a["type"]
    if t == "signed-up":
        s["email"], s["plan"], s["status"] = a["email"], a["plan"], "active"
    elif t == "email-changed":
        s["email"] = a["email"]
    elif t == "plan-changed":
        s["plan"] = a["plan"]
    elif t == "item-added":
        s["cart"][a["sku"]] = s["cart"].get(a["sku"], 0) + a["quantity"]
    elif t == "item-removed":
        left = s["cart"].get(a["sku"], 0) - a["quantity"]
        if left <= 0: s["cart"].pop(a["sku"], None)
        else: s["cart"][a["sku"]] = left
    elif t == "deactivated":
        s["status"] = "deactivated"
    return s

# 1. the snapshot topic
admin = AdminClient(base)
for t, f in admin.create_topics([NewTopic(state_topic, num_partitions=3, replication_factor=rf,
                                          config={"cleanup.policy": "compact"})]).items():
    try:
        f.result()
    except KafkaException as e:
        if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise

states = {}

# 3. continue
producer = Producer(base)
consumer = Consumer({**base, "group.id": group,
                     "auto.offset.reset": "earliest", "session.timeout.ms": 2000,
                     "heartbeat.interval.ms": 200, "fetch.wait.max.ms": 200})
running = True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)
consumer.subscribe([actions_topic])
while running:
    m = consumer.poll(0.2)
    if m is None:
        continue
    if m.error():
        print("error", m.error(), file=sys.stderr, flush=True)
        continue
    a = json.loads(m.value())
    uid = a["userId"]
    cur = states.get(uid) or {**empty(uid), "lastOffset": -1}
    if cur.get("lastOffset", -1) >= m.offset():
        continue
    nxt = apply(cur, a)
    nxt["lastOffset"] = m.offset()
    states[uid] = nxt
    producer.produce(state_topic, key=uid, value=json.dumps(nxt))
    producer.poll(0)
consumer.close()
producer.flush()
