"""
Wrong: correct topics, but the seed goes out with librdkafka's default partitioner
(consistent_random: crc32 of the key), not murmur2: the same customer id lands in another
partition than a Java or kafkajs producer puts it, so one key splits over two partitions
and compaction keeps two "latest" profiles.
"""
import json
import os
import signal
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
    ResourceType,
)

PREFIX = os.environ.get("TOPIC_PREFIX", "")
REPLICATION = int(os.environ.get("REPLICATION_FACTOR", "1"))
TOPICS = {
    "orders": (6, {"retention.ms": "1209600000"}),
    "customer-profiles": (3, {"cleanup.policy": "compact", "min.compaction.lag.ms": "3600000", "min.cleanable.dirty.ratio": "0.1"}),
    "clickstream": (12, {"retention.ms": "3600000", "retention.bytes": "104857600", "segment.ms": "600000"}),
}

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

admin = AdminClient(common)
existing = admin.list_topics(timeout=10).topics

missing = [NewTopic(PREFIX + name, num_partitions=n, replication_factor=REPLICATION, config=cfg) for name, (n, cfg) in TOPICS.items() if PREFIX + name not in existing]
if missing:
    for future in admin.create_topics(missing, operation_timeout=10).values():
        future.result()

present = [name for name in TOPICS if PREFIX + name in existing]
grow = [NewPartitions(PREFIX + name, TOPICS[name][0]) for name in present if len(existing[PREFIX + name].partitions) < TOPICS[name][0]]
if grow:
    for future in admin.create_partitions(grow).values():
        future.result()

to_alter = []
if present:
    described = admin.describe_configs([ConfigResource(ResourceType.TOPIC, PREFIX + name) for name in present])
    for resource, future in described.items():
        actual = future.result()
        asked = TOPICS[resource.name[len(PREFIX):]][1]
        differ = [ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET) for k, v in asked.items() if actual.get(k) is None or actual[k].value != v]
        if differ:
            to_alter.append(ConfigResource(ResourceType.TOPIC, resource.name, incremental_configs=differ))
if to_alter:
    for future in admin.incremental_alter_configs(to_alter).values():
        future.result()

# Created topics: wait until every partition has a leader before producing.
deadline = time.time() + 10
while time.time() < deadline:
    meta = admin.list_topics(timeout=5).topics
    if all(PREFIX + n in meta and len(meta[PREFIX + n].partitions) == TOPICS[n][0] for n in TOPICS):
        break
    time.sleep(0.1)

producer = Producer({**common, "acks": "all"})
tiers = ["gold", "silver", "bronze"]
for i in range(40):
    customer_id = f"customer-{i + 1:03d}"
    profile = {"customerId": customer_id, "name": f"Customer {i + 1}", "tier": tiers[i % 3]}
    producer.produce(PREFIX + "customer-profiles", key=customer_id, value=json.dumps(profile))
if producer.flush(10) > 0:
    sys.exit("the seed was not delivered")

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(1)
