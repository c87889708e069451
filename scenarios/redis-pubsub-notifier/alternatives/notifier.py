"""
Alternative correct solution: Python with redis-py. One notification per order, built and
published in the listen loop itself (so in order); when the connection drops, listen()
raises ConnectionError: wait a moment, subscribe again, carry on.
"""
import json
import os
import time

import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])


def notify(order: dict) -> None:
    tier = "gold" if order["vip"] else "standard"
    text = f"Thank you for order {order['orderId']} ({order['total']} EUR), dear {tier} customer!"
    r.publish(os.environ["NOTIFICATIONS_CHANNEL"], json.dumps({"orderId": order["orderId"], "text": text}))


while True:
    try:
        pubsub = r.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(os.environ["ORDERS_CHANNEL"])
        for message in pubsub.listen():
            notify(json.loads(message["data"]))
    except redis.ConnectionError:
        time.sleep(0.1)  # the broker is away for a moment: subscribe again
