"""Archive: saves each preprocessed job post published to the topic as
<PREPROCESSED_POSTS_PREFIX><job id>.json in the data bucket.

Environment: S3_BUCKET_NAME, PREPROCESSED_POSTS_PREFIX, JOB_ID_KEY. A failure raises, so
Lambda retries the asynchronous invocation and then sends it to the dead-letter queue."""
import json
import os
import re

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["S3_BUCKET_NAME"]
PREFIX = os.environ["PREPROCESSED_POSTS_PREFIX"]
ID_KEY = os.environ.get("JOB_ID_KEY", "Job_ID")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def handler(event, context):
    for record in event.get("Records", []):
        message = record["Sns"]["Message"]
        post = json.loads(message)
        job_id = UNSAFE.sub("_", str(post.get(ID_KEY) or record["Sns"]["MessageId"]))
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}{job_id}.json", Body=message.encode("utf-8"),
                      ContentType="application/json")
