"""GET /<path>?count=N: hands up to N (1-10, default 1) preprocessed job posts from the
labeling queue to the site and removes them from the queue (each post also stays in the data
bucket under the preprocessed prefix).

Environment: PREPROCESSED_JOBS_QUEUE_URL, CORS_ORIGINS (comma-separated, or *)."""
import json
import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["PREPROCESSED_JOBS_QUEUE_URL"]
ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "*").split(",") if o.strip()]


def cors_headers(event):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    origin = headers.get("origin", "")
    if "*" in ORIGINS:
        allowed = "*"
    else:
        allowed = origin if origin in ORIGINS else ORIGINS[0]
    out = {"Access-Control-Allow-Origin": allowed, "Content-Type": "application/json"}
    if allowed != "*":
        out["Vary"] = "Origin"
    return out


def answer(event, status, body):
    return {"statusCode": status, "headers": cors_headers(event), "body": json.dumps(body)}


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    try:
        count = max(1, min(10, int(params.get("count", "1"))))
    except ValueError:
        return answer(event, 400, {"error": "count must be a number"})
    response = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=count, WaitTimeSeconds=1)
    posts = []
    for message in response.get("Messages", []):
        try:
            posts.append(json.loads(message["Body"]))
        except json.JSONDecodeError:
            print(f"skipping message {message.get('MessageId')}: not JSON")
        sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
    return answer(event, 200, {"posts": posts})
