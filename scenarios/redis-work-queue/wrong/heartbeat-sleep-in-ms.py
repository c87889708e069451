"""
Wrong solution (Python): the heartbeat thread sleeps HEARTBEAT_TTL_MS / 4 between refreshes,
as it would in JavaScript's setInterval, but time.sleep takes seconds: it sleeps 250 seconds,
so every copy's heartbeat key expires a second after start-up, and the reapers take live copies'
jobs.
Must trip: done-once (heartbeat-lapsed).
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
HEARTBEAT_TTL_MS = int(os.environ.get("HEARTBEAT_TTL_MS", "1000"))
EVENTS_CHANNEL = os.environ["EVENTS_CHANNEL"]
JOBS_API_URL = os.environ["JOBS_API_URL"]
AUDIT_API_URL = os.environ["AUDIT_API_URL"]
INSTANCE_ID = os.environ["INSTANCE_ID"]

MY_LIST = PROCESSING_PREFIX + INSTANCE_ID
MY_HEARTBEAT = HEARTBEAT_PREFIX + INSTANCE_ID

r = redis.Redis.from_url(REDIS_URL)


def post(url, body, timeout):
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "content-type": "application/json",
        "x-instance-id": INSTANCE_ID,
    })
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return resp.status == 200
    except Exception as e:  # noqa: BLE001
        print("POST failed", url, e, flush=True)
        return False


def do_job(job):
    return post(JOBS_API_URL + "/jobs", job, timeout=10)


def report_seen(event):
    return post(AUDIT_API_URL + "/seen", {"eventId": event["eventId"], "instance": int(INSTANCE_ID)}, timeout=5)


def on_event(message):
    event = json.loads(message["data"])
    report_seen(event)


def heartbeat():
    while True:
        try:
            r.set(MY_HEARTBEAT, "alive", px=HEARTBEAT_TTL_MS)
        except Exception as e:  # noqa: BLE001
            print("heartbeat failed", e, flush=True)
        time.sleep(HEARTBEAT_TTL_MS / 4)


def reaper():
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
                    pass
        except Exception as e:  # noqa: BLE001
            print("reaper failed", e, flush=True)
        time.sleep(0.25)


def main():
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
        job = json.loads(raw)
        if do_job(job):
            r.lrem(MY_LIST, 1, raw)


if __name__ == "__main__":
    main()
