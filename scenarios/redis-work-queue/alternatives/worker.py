"""
Alternative correct solution: Python with redis-py and threads. The Pub/Sub listener runs in
its own thread (pubsub.run_in_thread), so do the heartbeat and the reaper; the main thread
moves one job at a time with BLMOVE into this copy's processing list and removes it (the exact
bytes BLMOVE returned) once the jobs API said 200.
"""
import json
import os
import threading
import time
import urllib.request

import redis

REDIS_URL = os.environ["REDIS_URL"]
JOBS_QUEUE = os.environ["JOBS_QUEUE"]
PROCESSING_PREFIX = os.environ["PROCESSING_PREFIX"]
HEARTBEAT_PREFIX = os.environ["HEARTBEAT_PREFIX"]
HEARTBEAT_TTL_MS = int(os.environ["HEARTBEAT_TTL_MS"])
EVENTS_CHANNEL = os.environ["EVENTS_CHANNEL"]
JOBS_API_URL = os.environ["JOBS_API_URL"]
AUDIT_API_URL = os.environ["AUDIT_API_URL"]
INSTANCE_ID = os.environ["INSTANCE_ID"]

MY_LIST = PROCESSING_PREFIX + INSTANCE_ID
MY_HEARTBEAT = HEARTBEAT_PREFIX + INSTANCE_ID

r = redis.Redis.from_url(REDIS_URL)  # a thread-safe pool: each command borrows a connection


def post(url: str, body: dict) -> bool:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except Exception as error:  # an error status or no answer: not done
        print(f"POST {url} failed: {error}", flush=True)
        return False


def on_event(message) -> None:
    event = json.loads(message["data"])
    post(AUDIT_API_URL + "/seen", {"eventId": event["eventId"], "instance": int(INSTANCE_ID)})


def heartbeat() -> None:
    while True:
        try:
            r.set(MY_HEARTBEAT, "alive", px=HEARTBEAT_TTL_MS)
        except redis.RedisError as error:
            print(f"heartbeat failed: {error}", flush=True)
        time.sleep(HEARTBEAT_TTL_MS / 4000)


def reaper() -> None:
    while True:
        try:
            for key in r.scan_iter(match=PROCESSING_PREFIX + "*"):
                name = key.decode()
                if name == MY_LIST:
                    continue
                owner = name[len(PROCESSING_PREFIX):]
                if r.exists(HEARTBEAT_PREFIX + owner):
                    continue
                while r.lmove(name, JOBS_QUEUE, "RIGHT", "RIGHT") is not None:
                    print(f"moved a job of dead copy {owner} back to the queue", flush=True)
        except redis.RedisError as error:
            print(f"reaper failed: {error}", flush=True)
        time.sleep(0.25)


r.set(MY_HEARTBEAT, "alive", px=HEARTBEAT_TTL_MS)
threading.Thread(target=heartbeat, daemon=True).start()
threading.Thread(target=reaper, daemon=True).start()

pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(**{EVENTS_CHANNEL: on_event})
pubsub.run_in_thread(sleep_time=0.01, daemon=True)

while True:
    raw = r.blmove(JOBS_QUEUE, MY_LIST, 1, "RIGHT", "LEFT")
    if raw is None:
        continue
    if post(JOBS_API_URL + "/jobs", json.loads(raw)):
        r.lrem(MY_LIST, 1, raw)
    else:
        r.pipeline().lrem(MY_LIST, 1, raw).rpush(JOBS_QUEUE, raw).execute()  # try again later
