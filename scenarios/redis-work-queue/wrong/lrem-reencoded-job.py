"""
Wrong solution (Python, redis-py): everything is in place (BLMOVE, heartbeat thread, a reaper
that checks heartbeats), but the job is removed from the processing list with
LREM(list, 1, json.dumps(job)): json.dumps writes '{"jobId": "...", ...}' with spaces, not the
exact string the lab pushed, so LREM removes nothing. Done jobs pile up in every processing
list; when the killed copy's list is reaped, every job it had done is done again.
Must trip: done-once (redone-after-done).
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
r = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)


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


def heartbeat() -> None:
    while True:
        r.set(HEARTBEAT_PREFIX + INSTANCE_ID, "alive", px=HEARTBEAT_TTL_MS)
        time.sleep(HEARTBEAT_TTL_MS / 4000)


def reaper() -> None:
    while True:
        for name in r.scan_iter(match=PROCESSING_PREFIX + "*"):
            owner = name[len(PROCESSING_PREFIX):]
            if name == MY_LIST or r.exists(HEARTBEAT_PREFIX + owner):
                continue
            while r.lmove(name, JOBS_QUEUE, "RIGHT", "RIGHT") is not None:
                pass
        time.sleep(0.25)


r.set(HEARTBEAT_PREFIX + INSTANCE_ID, "alive", px=HEARTBEAT_TTL_MS)
threading.Thread(target=heartbeat, daemon=True).start()
threading.Thread(target=reaper, daemon=True).start()
pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(**{os.environ["EVENTS_CHANNEL"]: on_event})
pubsub.run_in_thread(sleep_time=0.01, daemon=True)

while True:
    raw = r.blmove(JOBS_QUEUE, MY_LIST, 1, "RIGHT", "LEFT")
    if raw is None:
        continue
    job = json.loads(raw)
    if post(os.environ["JOBS_API_URL"] + "/jobs", job):
        r.lrem(MY_LIST, 1, json.dumps(job))  # the mistake: not the string BLMOVE returned
