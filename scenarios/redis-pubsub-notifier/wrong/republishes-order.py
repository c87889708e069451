"""
Wrong (content): forwards each order to the notifications channel as it is ("the order *is*
the notification"). Every order gets exactly one message, in order and fast, but there is
no notification in it: no text, just the order's fields.
Must fail: output-contract (schema-violation).
"""
import os

import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(os.environ["ORDERS_CHANNEL"])

for message in pubsub.listen():
    r.publish(os.environ["NOTIFICATIONS_CHANNEL"], message["data"])
