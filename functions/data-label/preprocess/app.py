"""Preprocessing: tokenizes the description of each deduplicated job post and publishes the
post, with its tokens, to the topic that fans out to the labeling queue and the archive.

Environment: SNS_TOPIC_ARN. Event: an SQS batch (the function reports partial failures, so
only the failed messages return to the queue and, after a few receives, go to the
dead-letter queue)."""
import json
import os
import re

import boto3

sns = boto3.client("sns")
TOPIC_ARN = os.environ["SNS_TOPIC_ARN"]

# Words (with inner hyphens or apostrophes), numbers, and single punctuation marks.
TOKEN = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")


def tokenize(text):
    return TOKEN.findall(text or "")


def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            post = json.loads(record["body"])
            if not isinstance(post, dict):
                raise ValueError("the message body is not a JSON object")
            post["tokens"] = tokenize(post.get("description", ""))
            sns.publish(TopicArn=TOPIC_ARN, Message=json.dumps(post))
        except Exception as error:  # noqa: BLE001 - every failure is reported per message
            print(f"cannot preprocess message {record.get('messageId')}: {error}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
