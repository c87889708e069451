"""
Wrong: creates every topic with create_topics and waits on each future, as the
confluent-kafka docs show; a topic that exists makes its future raise TopicExistsException
(TOPIC_ALREADY_EXISTS), so the program crashes when the orders topic of the earlier version
is there, and would on every redeploy.
"""
import json
import os
import signal
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

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
topics = [NewTopic(PREFIX + name, num_partitions=n, replication_factor=REPLICATION, config=cfg) for name, (n, cfg) in TOPICS.items()]
# Wait for every topic: raises if Kafka refused one.
for future in admin.create_topics(topics, operation_timeout=10).values():
    future.result()

# Created topics: wait until every partition has a leader before producing.
deadline = time.time() + 10
while time.time() < deadline:
    meta = admin.list_topics(timeout=5).topics
    if all(PREFIX + n in meta and len(meta[PREFIX + n].partitions) == TOPICS[n][0] for n in TOPICS):
        break
    time.sleep(0.1)

producer = Producer({**common, "partitioner": "murmur2_random", "acks": "all"})
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
