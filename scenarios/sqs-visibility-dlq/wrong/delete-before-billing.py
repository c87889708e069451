"""WRONG: deletes each job as soon as it is received, then bills it: a job whose call fails is
gone, never retried, never in the DLQ."""
import json
import os
import signal
import sys
import urllib.error
import urllib.request

import boto3

sqs = boto3.client(
    "sqs",
    endpoint_url=os.environ["SQS_ENDPOINT"],
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "brokerlab"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "brokerlab"),
)
QUEUE = os.environ["INVOICE_QUEUE_URL"]
API = os.environ["BILLING_API_URL"]
INSTANCE = os.environ.get("INSTANCE_ID", "1")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def bill(job):
    request = urllib.request.Request(
        f"{API}/charges",
        data=json.dumps(job).encode(),
        headers={"content-type": "application/json", "x-instance-id": INSTANCE},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


while True:
    reply = sqs.receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=1, WaitTimeSeconds=10, VisibilityTimeout=30)
    for message in reply.get("Messages", []):
        # Take it off the queue first so nobody else gets it, then bill.
        sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=message["ReceiptHandle"])
        job = json.loads(message["Body"])
        status = bill(job)
        if status != 200:
            print(f"{job['invoiceId']}: {status}", file=sys.stderr, flush=True)
