"""
WRONG (ack timing, Python): consumes the questions with manual acks (pika's auto_ack=False) and
answers every one of them, but never calls basic_ack. Every question stays unacked: when the
program stops, RabbitMQ puts them all back, and a restarted program would answer them again.
Must trip: all-acked, cause "never-acked".
"""
import json
import os
import urllib.request
import uuid

import pika

AMQP_URL = os.environ["AMQP_URL"]
QUESTIONS_QUEUE = os.environ["QUESTIONS_QUEUE"]
PRICE_REQUESTS = os.environ["PRICE_REQUESTS"]
ANSWERS_API_URL = os.environ["ANSWERS_API_URL"]
DEADLINE_MS = int(os.environ.get("DEADLINE_MS", "1000"))
INSTANCE_ID = os.environ.get("INSTANCE_ID", "1")


def report(answer):
    req = urllib.request.Request(
        ANSWERS_API_URL.rstrip("/") + "/answers",
        data=json.dumps(answer).encode(),
        headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read()
    except Exception as e:  # noqa: BLE001
        print("could not report", answer, e, flush=True)


connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
channel = connection.channel()

reply_queue = channel.queue_declare("", exclusive=True).method.queue
pending = {}  # correlation id -> (question id, delivery tag, timer)


def finish(cid, answer):
    entry = pending.pop(cid, None)
    if entry is None:
        return
    question_id, tag, timer = entry
    if timer is not None and "timedOut" not in answer:
        connection.remove_timeout(timer)
    answer = dict(questionId=question_id, **answer)
    report(answer)


def on_reply(ch, method, properties, body):
    cid = properties.correlation_id
    if cid not in pending:
        return
    price = json.loads(body)["price"]
    finish(cid, {"price": price})


def on_question(ch, method, properties, body):
    question = json.loads(body)
    cid = str(uuid.uuid4())
    ch.basic_publish(
        exchange="",
        routing_key=PRICE_REQUESTS,
        body=json.dumps({"sku": question["sku"]}),
        properties=pika.BasicProperties(reply_to=reply_queue, correlation_id=cid),
    )
    timer = connection.call_later(DEADLINE_MS / 1000, lambda: finish(cid, {"timedOut": True}))
    pending[cid] = (question["questionId"], method.delivery_tag, timer)


channel.basic_consume(reply_queue, on_reply, auto_ack=True)
channel.basic_qos(prefetch_count=100)
channel.basic_consume(QUESTIONS_QUEUE, on_question)
channel.start_consuming()
