"""Wrong: wraps the order as {"default": body} (the docs' per-protocol message shape) but
without MessageStructure="json": SNS delivers the wrapper itself, so no queue gets an order
(Python, boto3)."""
import json
import os
import signal
import sys

import boto3

ENDPOINT = os.environ["SNS_ENDPOINT"]
REGION = os.environ.get("AWS_REGION", "us-east-1")
sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name=REGION)
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name=REGION)
INBOX = os.environ["ORDER_INBOX_URL"]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

topic_arn = sns.create_topic(Name=os.environ["ORDER_TOPIC_NAME"])["TopicArn"]

SUBSCRIPTIONS = {
    os.environ["BILLING_QUEUE_NAME"]: {
        "FilterPolicy": json.dumps({"amount": [{"numeric": [">=", 100]}]}),
    },
    os.environ["EU_SHIPPING_QUEUE_NAME"]: {
        "FilterPolicy": json.dumps({"region": ["eu"], "fulfilment": [{"anything-but": ["digital"]}]}),
        "RawMessageDelivery": "true",
    },
    os.environ["AUDIT_QUEUE_NAME"]: {"RawMessageDelivery": "true"},
}

for name, attributes in SUBSCRIPTIONS.items():
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)

while True:
    for message in sqs.receive_message(QueueUrl=INBOX, MaxNumberOfMessages=1, WaitTimeSeconds=20).get("Messages", []):
        order = json.loads(message["Body"])
        sns.publish(
            TopicArn=topic_arn,
            # the docs' multi-protocol shape, but without MessageStructure="json"
            Message=json.dumps({"default": message["Body"]}),
            MessageAttributes={
                "region": {"DataType": "String", "StringValue": order["region"]},
                "amount": {"DataType": "Number", "StringValue": str(order["amount"])},
                "fulfilment": {"DataType": "String", "StringValue": order["fulfilment"]},
            },
        )
        sqs.delete_message(QueueUrl=INBOX, ReceiptHandle=message["ReceiptHandle"])
