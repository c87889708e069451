"""
Wrong (Python): remembers posted payment ids in a set in the program's memory. Each copy
has its own set, and a restarted copy starts with an empty one.
"""
import json
import os
import urllib.error
import urllib.request

import pika
import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
posted = set()


def get_quote(payment):
    request = urllib.request.Request(
        os.environ["FX_API_URL"] + "/quotes",
        data=json.dumps({"paymentId": payment["paymentId"], "amountCents": payment["amountCents"], "currency": payment["currency"]}).encode(),
        headers={"content-type": "application/json", "x-instance-id": os.environ["INSTANCE_ID"]},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError:
        return None


def on_payment(ch, method, properties, body):
    payment = json.loads(body)
    if payment["paymentId"] in posted:
        ch.basic_ack(delivery_tag=method.delivery_tag)
        return
    quote = get_quote(payment)
    if quote is None:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
        return
    line = {"paymentId": payment["paymentId"], "account": payment["account"], "quoteId": quote["quoteId"], "eurCents": quote["eurCents"]}
    r.rpush(os.environ["LEDGER_KEY"], json.dumps(line))
    posted.add(payment["paymentId"])
    ch.basic_ack(delivery_tag=method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(os.environ["PAYMENTS_QUEUE"], on_payment)
channel.start_consuming()
