"""
Wrong (Python): a shared fixed window, INCR on a key per second with EXPIRE. Each second
stays within RATE_PER_SECOND, but the whole second's allowance goes out at its very start.
"""
import json
import os
import time
import urllib.error
import urllib.request

import pika
import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
RATE = int(os.environ["RATE_PER_SECOND"])


def wait_for_slot():
    while True:
        second = int(time.time())
        key = os.environ["KEY_PREFIX"] + "window:" + str(second)
        count = r.incr(key)
        r.expire(key, 2)
        if count <= RATE:
            return
        time.sleep(second + 1 - time.time())


def send_sms(body):
    request = urllib.request.Request(
        os.environ["SMS_API_URL"] + "/messages",
        data=body,
        headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request):
            return True
    except urllib.error.HTTPError:
        return False


def on_sms(ch, method, properties, body):
    wait_for_slot()
    if send_sms(body):
        ch.basic_ack(delivery_tag=method.delivery_tag)
    else:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(os.environ["SMS_QUEUE"], on_sms)
channel.start_consuming()
