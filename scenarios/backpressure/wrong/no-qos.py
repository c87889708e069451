"""
Wrong (Python, pika): a pool of MAX_IN_FLIGHT threads, but no basic_qos: RabbitMQ pushes the
whole backlog, which waits in the pool's unbounded queue, unacknowledged (each page is acked
once the OCR service answered, as it should be).
"""
import json
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pika

OCR = os.environ["OCR_API_URL"] + "/pages"
MAX_IN_FLIGHT = int(os.environ["MAX_IN_FLIGHT"])


def recognise(page):
    data = json.dumps({"pageId": page["pageId"], "bytes": len(page["content"])}).encode()
    request = urllib.request.Request(OCR, data=data, headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError) as error:
        print(f"page {page['pageId']}: {error}", file=sys.stderr)
        return False


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
pool = ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT)


def on_message(ch, method, properties, body):
    def job():
        ok = recognise(json.loads(body))
        if ok:
            connection.add_callback_threadsafe(lambda: ch.basic_ack(delivery_tag=method.delivery_tag))
        else:
            connection.add_callback_threadsafe(lambda: ch.basic_nack(delivery_tag=method.delivery_tag, requeue=True))

    pool.submit(job)


channel.basic_consume(queue=os.environ["PAGE_QUEUE"], on_message_callback=on_message)
channel.start_consuming()
