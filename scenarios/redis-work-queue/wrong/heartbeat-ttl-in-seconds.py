"""
Wrong solution (Python, redis-py): BLMOVE, LREM with the exact bytes, a heartbeat thread and a
reaper that checks heartbeats, all in place; but the heartbeat is set with
r.set(key, "alive", ex=HEARTBEAT_TTL_MS): `ex` counts seconds, so the key lives 1000 seconds
instead of one. When a copy dies its heartbeat stays, no reaper ever sees it dead, and its job
stays in its processing list.
Must trip: reliable-queue (dead-copy-looks-alive) and no-lost-messages (lost-at-kill).
"""
import json
import os
import threading
import time
import urllib.request

import redis

INSTANCE_ID = os.environ["INSTANCE_ID"]
JOBS_QUEUE = os.environ["JOBS_QUEUE"]
PROCESSING_PREFIX = os.environ["PROCESSING_PREFIX"]
HEARTBEAT_PREFIX = os.environ["HEARTBEAT_PREFIX"]
HEARTBEAT_TTL_MS = int(os.environ["HEARTBEAT_TTL_MS"])
MY_LIST = PROCESSING_PREFIX + INSTANCE_ID
r = redis.Redis.from_url(os.environ["REDIS_URL"])


def post(url: str, body: dict) -> bool:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except Exception as error:
        print(f"POST {url} failed: {error}", flush=True)
        return False


def on_event(message) -> None:
    event = json.loads(message["data"])
    post(os.environ["AUDIT_API_URL"] + "/seen", {"eventId": event["eventId"], "instance": int(INSTANCE_ID)})


def beat() -> None:
    r.set(HEARTBEAT_PREFIX + INSTANCE_ID, "alive", ex=HEARTBEAT_TTL_MS)  # the mistake: ex is seconds


def heartbeat() -> None:
    while True:
        beat()
        time.sleep(HEARTBEAT_TTL_MS / 4000)


def reaper() -> None:
    while True:
        for key in r.scan_iter(match=PROCESSING_PREFIX + "*"):
            name = key.decode()
            owner = name[len(PROCESSING_PREFIX):]
            if name == MY_LIST or r.exists(HEARTBEAT_PREFIX + owner):
                continue
            while r.lmove(name, JOBS_QUEUE, "RIGHT", "RIGHT") is not None:
                pass
        time.sleep(0.25)


beat()
threading.Thread(target=heartbeat, daemon=True).start()
threading.Thread(target=reaper, daemon=True).start()
pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(**{os.environ["EVENTS_CHANNEL"]: on_event})
pubsub.run_in_thread(sleep_time=0.01, daemon=True)

while True:
    raw = r.blmove(JOBS_QUEUE, MY_LIST, 1, "RIGHT", "LEFT")
    if raw is None:
        continue
    if post(os.environ["JOBS_API_URL"] + "/jobs", json.loads(raw)):
        r.lrem(MY_LIST, 1, raw)
