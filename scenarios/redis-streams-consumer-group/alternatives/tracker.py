"""
Alternative correct solution: Python with redis-py. A reclaim thread runs XAUTOCLAIM every
300 ms for entries idle at least MIN_IDLE_MS; the main thread reads new entries (>) one at a
time. Each entry is recorded first and acknowledged (XACK) only once the store said 200.
"""
import json
import os
import threading
import time
import urllib.request

import redis

REDIS_URL = os.environ["REDIS_URL"]
STREAM = os.environ["ACTIVITY_STREAM"]
GROUP = os.environ["GROUP_NAME"]
INSTANCE_ID = os.environ["INSTANCE_ID"]
CONSUMER = os.environ["CONSUMER_PREFIX"] + INSTANCE_ID
MIN_IDLE_MS = int(os.environ["MIN_IDLE_MS"])
STORE_URL = os.environ["ACTIVITY_STORE_URL"]

r = redis.Redis.from_url(REDIS_URL, decode_responses=True)  # a thread-safe pool

try:
    r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
except redis.ResponseError as error:  # BUSYGROUP: the lab created it already
    if "BUSYGROUP" not in str(error):
        raise


def record(fields: dict) -> bool:
    activity = {k: fields.get(k, "") for k in ("activityId", "userId", "action", "at")}
    request = urllib.request.Request(
        STORE_URL + "/activities",
        data=json.dumps(activity).encode(),
        headers={"content-type": "application/json", "x-instance-id": INSTANCE_ID},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except Exception as error:  # an error status or no answer: leave it pending
        print(f"recording failed: {error}", flush=True)
        return False


def handle(entry_id: str, fields: dict) -> None:
    if record(fields):
        r.xack(STREAM, GROUP, entry_id)


def reclaimer() -> None:
    while True:
        try:
            cursor = "0-0"
            while True:
                reply = r.xautoclaim(STREAM, GROUP, CONSUMER, min_idle_time=MIN_IDLE_MS, start_id=cursor, count=10)
                cursor, entries = reply[0], reply[1]
                for entry_id, fields in entries:
                    if fields is not None:
                        print(f"reclaimed {entry_id}", flush=True)
                        handle(entry_id, fields)
                if cursor == "0-0":
                    break
        except redis.RedisError as error:
            print(f"reclaim failed: {error}", flush=True)
        time.sleep(0.3)


threading.Thread(target=reclaimer, daemon=True).start()

while True:
    reply = r.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=1, block=1000)
    for _stream, entries in reply or []:
        for entry_id, fields in entries:
            handle(entry_id, fields)
