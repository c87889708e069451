"""
WRONG (configuration): one reply queue for everybody. Every copy of the program declares
the same fixed-name queue "price-replies" and consumes it. Replies are matched by
correlation id, but RabbitMQ hands the messages of a queue with two consumers to them in
turn: each copy gets some of the other's replies (and drops them as unknown), so those
questions time out although their price came in time.
Must trip: answers-match, cause "shared-reply-queue".
"""
import json
import os
import signal
import sys
import urllib.request
import uuid

import pika

AMQP_URL = os.environ["AMQP_URL"]
QUESTIONS_QUEUE = os.environ["QUESTIONS_QUEUE"]
PRICE_REQUESTS = os.environ["PRICE_REQUESTS"]
ANSWERS_API_URL = os.environ["ANSWERS_API_URL"]
DEADLINE_S = int(os.environ["DEADLINE_MS"]) / 1000
INSTANCE_ID = os.environ.get("INSTANCE_ID", "1")
REPLY_QUEUE = "price-replies"

http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def report(answer):
    request = urllib.request.Request(
        f"{ANSWERS_API_URL}/answers",
        data=json.dumps(answer).encode(),
        headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID},
        method="POST",
    )
    with http.open(request, timeout=5) as response:
        response.read()


connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()
channel.queue_declare(REPLY_QUEUE)

waiting = {}


def answer(correlation_id, price=None):
    entry = waiting.pop(correlation_id, None)
    if entry is None:
        return
    delivery_tag, question_id, timer = entry
    if price is None:
        report({"questionId": question_id, "timedOut": True})
    else:
        connection.remove_timeout(timer)
        report({"questionId": question_id, "price": price})
    channel.basic_ack(delivery_tag)


def on_reply(ch, method, properties, body):
    answer(properties.correlation_id, json.loads(body)["price"])


def on_question(ch, method, properties, body):
    question = json.loads(body)
    correlation_id = str(uuid.uuid4())
    timer = connection.call_later(DEADLINE_S, lambda: answer(correlation_id))
    waiting[correlation_id] = (method.delivery_tag, question["questionId"], timer)
    channel.basic_publish(
        exchange="",
        routing_key=PRICE_REQUESTS,
        body=json.dumps({"sku": question["sku"]}),
        properties=pika.BasicProperties(reply_to=REPLY_QUEUE, correlation_id=correlation_id, content_type="application/json"),
    )


channel.basic_consume(REPLY_QUEUE, on_reply, auto_ack=True)
channel.basic_qos(prefetch_count=100)
channel.basic_consume(QUESTIONS_QUEUE, on_question)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    channel.start_consuming()
finally:
    try:
        connection.close()
    except Exception:
        pass
