"""
Wrong (Python): claims the payment first (SET NX), then quotes and posts. Two copies can no
longer both post it, but a quote that fails (or a copy killed mid-quote) leaves the mark
behind: the payment comes back, the mark says it was posted, and it is skipped for good.
"""
import json
import os
import urllib.error
import urllib.request

import pika
import redis

r = redis.Redis.from_url(os.environ["REDIS_URL"])


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
    mark = os.environ["KEY_PREFIX"] + "posted:" + payment["paymentId"]
    if not r.set(mark, "1", nx=True, ex=86400):
        ch.basic_ack(delivery_tag=method.delivery_tag)  # someone has it: done
        return
    quote = get_quote(payment)
    if quote is None:
        ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True)
        return
    line = {"paymentId": payment["paymentId"], "account": payment["account"], "quoteId": quote["quoteId"], "eurCents": quote["eurCents"]}
    r.rpush(os.environ["LEDGER_KEY"], json.dumps(line))
    ch.basic_ack(delivery_tag=method.delivery_tag)


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=1)
channel.basic_consume(os.environ["PAYMENTS_QUEUE"], on_payment)
channel.start_consuming()
