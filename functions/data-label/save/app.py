"""POST /<path>: saves labeled job posts as <LABELED_POSTS_PREFIX><job id>.json in the data
bucket. The body is one post or a list of posts, each a JSON object with the job id under
JOB_ID_KEY and its labels (for example {"Job_ID": "123", "tokens": [...], "labels": [...]}).

Environment: S3_BUCKET_NAME, LABELED_POSTS_PREFIX, JOB_ID_KEY, CORS_ORIGINS."""
import base64
import json
import os
import re

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["S3_BUCKET_NAME"]
PREFIX = os.environ["LABELED_POSTS_PREFIX"]
ID_KEY = os.environ.get("JOB_ID_KEY", "Job_ID")
ORIGINS = [o.strip() for o in os.environ.get("CORS_ORIGINS", "*").split(",") if o.strip()]
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_POSTS = 25


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
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError:
        return answer(event, 400, {"error": "the body must be JSON"})
    posts = body if isinstance(body, list) else [body]
    if not posts or len(posts) > MAX_POSTS:
        return answer(event, 400, {"error": f"send 1 to {MAX_POSTS} posts"})
    for post in posts:
        if not isinstance(post, dict) or not post.get(ID_KEY):
            return answer(event, 400, {"error": f"every post needs its job id under '{ID_KEY}'"})
    for post in posts:
        job_id = UNSAFE.sub("_", str(post[ID_KEY]))
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}{job_id}.json",
                      Body=json.dumps(post).encode("utf-8"), ContentType="application/json")
    return answer(event, 201, {"saved": len(posts)})
