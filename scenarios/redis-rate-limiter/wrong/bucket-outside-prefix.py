"""
Wrong (Python): the GCRA bucket of the alternative under a fixed key, "sms:gcra", outside
KEY_PREFIX: nothing cleans it up, and it mixes with whatever else lives on that Redis.
"""
import json
import os
import time
import urllib.error
import urllib.request

import pika
import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
RATE = float(os.environ["RATE_PER_SECOND"])
BURST = int(os.environ["BURST"])
KEY = "sms:gcra"
GCRA = r.register_script("""
local now = redis.call('TIME')
local nowMs = now[1] * 1000 + now[2] / 1000
local interval = 1000 / tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or nowMs)
if tat < nowMs then tat = nowMs end
if tat - nowMs > tolerance then
  return math.ceil(tat - nowMs - tolerance)
end
redis.call('SET', KEYS[1], tat + interval, 'PX', 60000)
return 0
""")


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
    while True:
        wait_ms = GCRA(keys=[KEY], args=[RATE, BURST])
        if wait_ms == 0:
            break
        time.sleep(wait_ms / 1000)
    if send_sms(body):
        ch.basic_ack(delivery_tag=method.delivery_tag)
    else:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(os.environ["SMS_QUEUE"], on_sms)
channel.start_consuming()
