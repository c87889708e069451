"""
Wrong (Python): correct deduplication (the quote first, then SADD decides), but the set of
processed ids is a fixed key, "processed-payments", outside KEY_PREFIX: nothing removes it
after a run, and it mixes with whatever else lives on that Redis.
"""
import json
import os
import urllib.error
import urllib.request

import pika
import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])
PROCESSED = "processed-payments"
LEDGER = os.environ["LEDGER_KEY"]


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
    quote = get_quote(payment)
    if quote is None:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
        return
    if r.sadd(PROCESSED, payment["paymentId"]) == 1:
        line = {"paymentId": payment["paymentId"], "account": payment["account"], "quoteId": quote["quoteId"], "eurCents": quote["eurCents"]}
        r.rpush(LEDGER, json.dumps(line))
    ch.basic_ack(delivery_tag=method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(os.environ["PAYMENTS_QUEUE"], on_payment)
channel.start_consuming()
