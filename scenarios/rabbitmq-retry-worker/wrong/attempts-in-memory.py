"""
Wrong (state lost on restart): counts each task's attempts in a dict in the worker's
memory, requeues failures and, on the last attempt, publishes the task to the dead-letter
queue with the error and acks it. Right as long as the worker never dies: when it is
killed between two attempts of a task, the count starts over and the task gets too many.
Must fail: dead-lettered-after-attempts (count-reset-by-restart).
"""
import json
import os
import urllib.request

import pika

MAX_ATTEMPTS = int(os.environ["MAX_ATTEMPTS"])
TASKS = os.environ["TASKS_QUEUE"]
DEAD = os.environ["DEAD_LETTER_QUEUE"]


def make_thumbnail(body: bytes):
    request = urllib.request.Request(
        os.environ["THUMBNAIL_API_URL"] + "/thumbnails",
        data=body,
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as response:
            return True, None
    except urllib.error.HTTPError as error:
        return False, json.loads(error.read() or b"{}").get("error", f"HTTP {error.code}")


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.queue_declare(DEAD, durable=True)
channel.queue_declare(TASKS, durable=True)
channel.basic_qos(prefetch_count=int(os.environ["PREFETCH_LIMIT"]))

attempts = {}


def on_task(ch, method, properties, body):
    task = json.loads(body)
    ok, error = make_thumbnail(body)
    if ok:
        ch.basic_ack(method.delivery_tag)
        return
    attempts[task["taskId"]] = attempts.get(task["taskId"], 0) + 1
    if attempts[task["taskId"]] >= MAX_ATTEMPTS:
        ch.basic_publish(
            "",
            DEAD,
            body,
            pika.BasicProperties(delivery_mode=2, message_id=task["taskId"], headers={"x-last-error": error}),
        )
        ch.basic_ack(method.delivery_tag)
    else:
        ch.basic_nack(method.delivery_tag, requeue=True)


channel.basic_consume(TASKS, on_task)
channel.start_consuming()
