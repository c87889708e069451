"""
Wrong solution (Python, redis-py): the textbook Redis queue, BRPOP. A job leaves Redis the
moment a copy takes it, so while it is being done it exists only in that copy's memory, and
the job the killed copy was working on is gone for good. (Nothing to reap: there is no
processing list.)
Must trip: reliable-queue (taken-out-of-redis) and no-lost-messages (lost-at-kill).
"""
import json
import os
import threading
import time
import urllib.request

import redis

INSTANCE_ID = os.environ["INSTANCE_ID"]
HEARTBEAT_TTL_MS = int(os.environ["HEARTBEAT_TTL_MS"])
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


def heartbeat() -> None:
    while True:
        r.set(os.environ["HEARTBEAT_PREFIX"] + INSTANCE_ID, "alive", px=HEARTBEAT_TTL_MS)
        time.sleep(HEARTBEAT_TTL_MS / 4000)


threading.Thread(target=heartbeat, daemon=True).start()
pubsub = r.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(**{os.environ["EVENTS_CHANNEL"]: on_event})
pubsub.run_in_thread(sleep_time=0.01, daemon=True)

while True:
    item = r.brpop(os.environ["JOBS_QUEUE"], timeout=1)
    if item is None:
        continue
    _, raw = item
    post(os.environ["JOBS_API_URL"] + "/jobs", json.loads(raw))
