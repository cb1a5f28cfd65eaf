import json
import urllib.request

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    props = event.get("ResourceProperties", {})
    bucket = props.get("BucketName", "")
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] == "Delete":
            try:
                s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
            except s3.exceptions.NoSuchBucket:
                pass
        else:
            config = props.get("NotificationConfiguration", {})
            s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    except Exception as error:
        status, reason = "FAILED", str(error)
    body = json.dumps({
        "Status": status,
        "Reason": (reason or "see log stream " + context.log_stream_name)[:1000],
        "PhysicalResourceId": event.get("PhysicalResourceId") or bucket + "-notifications",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(request, timeout=30).close()
