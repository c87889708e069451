"""
Wrong (Python, confluent-kafka): the snapshot-restoring program of the alternatives, but each
state is published under the id of the action that produced it ("a unique key per record"),
not the user id. Compaction keeps the latest record per key: every key is new, so nothing is
ever the latest state of a user, and a reader cannot look a user up by id.
"""
import json
import os
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ACTIONS = os.environ["USER_ACTIONS_TOPIC"]
STATES = os.environ["USER_STATE_TOPIC"]

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


def create_snapshot_topic() -> None:
    admin = AdminClient(common)
    topic = NewTopic(STATES, num_partitions=3, replication_factor=int(os.environ.get("REPLICATION_FACTOR", "1")), config={"cleanup.policy": "compact"})
    for future in admin.create_topics([topic]).values():
        try:
            future.result()
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise


def end_offset(reader: Consumer, partition: int) -> int:
    """A partition's end, asked again while a topic just created has no leader yet."""
    for _ in range(50):
        try:
            return reader.get_watermark_offsets(TopicPartition(STATES, partition), timeout=10)[1]
        except KafkaException as error:
            if not error.args[0].retriable() and error.args[0].code() != KafkaError.NOT_LEADER_FOR_PARTITION:
                raise
            time.sleep(0.1)
    raise RuntimeError(f"no leader for {STATES} partition {partition}")


def restore() -> dict:
    """The latest state of every user on the snapshot topic."""
    reader = Consumer({**common, "group.id": os.environ["GROUP_ID"] + ".restore", "enable.auto.commit": False})
    partitions = reader.list_topics(STATES, timeout=10).topics[STATES].partitions
    ends = {p: end_offset(reader, p) for p in partitions}
    todo = {p for p, end in ends.items() if end > 0}
    reader.assign([TopicPartition(STATES, p, 0) for p in todo])
    states = {}
    while todo:
        message = reader.poll(0.5)
        if message is None or message.error():
            continue
        if message.key() is not None and message.value():
            states[message.key().decode()] = json.loads(message.value())
        if message.offset() + 1 >= ends[message.partition()]:
            todo.discard(message.partition())
    reader.close()
    return states


def empty_state(user_id: str) -> dict:
    return {"userId": user_id, "email": None, "plan": None, "status": None, "cart": {}, "version": 0}


def apply(state: dict, action: dict) -> dict:
    """The README's table: one action applied to a user's state."""
    state = {**state, "cart": dict(state["cart"]), "version": state["version"] + 1}
    kind = action["type"]
    if kind == "signed-up":
        state.update(email=action["email"], plan=action["plan"], status="active")
    elif kind == "email-changed":
        state["email"] = action["email"]
    elif kind == "plan-changed":
        state["plan"] = action["plan"]
    elif kind in ("item-added", "item-removed"):
        sign = 1 if kind == "item-added" else -1
        quantity = state["cart"].get(action["sku"], 0) + sign * action["quantity"]
        if quantity > 0:
            state["cart"][action["sku"]] = quantity
        else:
            state["cart"].pop(action["sku"], None)
    elif kind == "deactivated":
        state["status"] = "deactivated"
    return state


create_snapshot_topic()
states = restore()
producer = Producer({**common, "enable.idempotence": True, "linger.ms": 0})
consumer = Consumer(
    {
        **common,
        "group.id": os.environ["GROUP_ID"],
        "auto.offset.reset": "earliest",  # a group without commits: the first start reads everything
        "enable.auto.commit": False,
        # The lab's consumer timings (README): the killed copy's membership ends in 2 s.
        "session.timeout.ms": 2000,
        "heartbeat.interval.ms": 200,
        "fetch.wait.max.ms": 200,
    }
)
consumer.subscribe([ACTIONS])


def leave(*_):
    consumer.close()
    producer.flush(5)
    sys.exit(0)


signal.signal(signal.SIGTERM, leave)

while True:
    message = consumer.poll(0.2)
    if message is None or message.error():
        continue
    action = json.loads(message.value())
    user_id = action["userId"]
    state = states.get(user_id) or empty_state(user_id)
    if message.offset() > state.get("lastOffset", -1):
        state = {**apply(state, action), "lastOffset": message.offset()}
        states[user_id] = state
        producer.produce(STATES, key=action["eventId"], value=json.dumps(state))
        producer.flush()
    consumer.commit(message=message, asynchronous=False)
