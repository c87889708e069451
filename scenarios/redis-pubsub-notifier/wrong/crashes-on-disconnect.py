"""
Wrong (state lost on reconnect), Python with redis-py: a plain listen loop, as most examples
show it. When the connection drops, listen() raises redis.ConnectionError and the program
dies with it: every order after that is missed.
Must fail: resubscribed (crashed-on-disconnect).
"""
import json
import os

import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(os.environ["ORDERS_CHANNEL"])

for message in pubsub.listen():
    order = json.loads(message["data"])
    tier = "gold" if order["vip"] else "standard"
    text = f"Thank you for order {order['orderId']} ({order['total']} EUR), dear {tier} customer!"
    r.publish(os.environ["NOTIFICATIONS_CHANNEL"], json.dumps({"orderId": order["orderId"], "text": text}))
