"""
Alternative (Python, pika): batches collected in pika's own thread, sent from a pool of
threads, each thread with its own keep-alive HTTP connection; acks handed back to pika's
thread. A batch goes when it holds 100 orders or 20 ms after its first order, whichever
comes first.
"""
import http.client
import json
import os
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pika

MAX_BATCH = 100
FLUSH_SECONDS = 0.02
api = urllib.parse.urlparse(os.environ["STATUS_API_URL"])
local = threading.local()


def mark_accepted(order_ids):
    """One call for up to MAX_BATCH orders, on this thread's own connection."""
    for attempt in range(2):
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection(api.hostname, api.port, timeout=10)
        try:
            body = json.dumps({"status": "accepted", "orderIds": order_ids})
            local.conn.request("POST", "/statuses", body=body, headers={"content-type": "application/json"})
            response = local.conn.getresponse()
            text = response.read()
            if response.status >= 300:
                raise RuntimeError(f"order-status service answered {response.status}: {text[:200]!r}")
            return
        except (http.client.HTTPException, OSError):
            local.conn.close()
            local.conn = None
            if attempt == 1:
                raise


connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.basic_qos(prefetch_count=MAX_BATCH * 5)
pool = ThreadPoolExecutor(max_workers=8)
batch = []  # (delivery_tag, order_id), only touched in pika's thread
timer = None


def settle(tags, ok):
    for tag in tags:
        if ok:
            channel.basic_ack(delivery_tag=tag)
        else:
            channel.basic_nack(delivery_tag=tag, requeue=True)


def send(tags, ids):
    try:
        mark_accepted(ids)
        ok = True
    except Exception as error:  # noqa: BLE001
        print(f"a batch of {len(ids)}: {error}", flush=True)
        ok = False
    connection.add_callback_threadsafe(lambda: settle(tags, ok))


def flush():
    global batch, timer
    if timer is not None:
        connection.remove_timeout(timer)
        timer = None
    if not batch:
        return
    taken, batch = batch, []
    pool.submit(send, [tag for tag, _ in taken], [order_id for _, order_id in taken])


def on_order(ch, method, properties, body):
    global timer
    batch.append((method.delivery_tag, json.loads(body)["orderId"]))
    if len(batch) >= MAX_BATCH:
        flush()
    elif timer is None:
        timer = connection.call_later(FLUSH_SECONDS, flush)


channel.basic_consume(queue=os.environ["ORDER_QUEUE"], on_message_callback=on_order)
channel.start_consuming()
