"""Applies a bucket's notification configuration: the handler of `Custom::S3BucketNotifications`
(the DSL's `Bucket`, for a bucket whose generated name the template cannot reference in its own
NotificationConfiguration). Properties: BucketName, NotificationConfiguration (in the shape of
S3's PutBucketNotificationConfiguration). Create and Update apply the configuration; Delete clears
it (a bucket already gone is fine).

The DSL inlines this file as the function's `index.py`; scripts/embed-functions puts the code of
functions/shared/cfn_response.py in place of `import cfn_response` in that copy.
"""
import boto3

import cfn_response

s3 = boto3.client("s3")


def handler(event, context):
    bucket = event.get("ResourceProperties", {}).get("BucketName", "")
    return cfn_response.handle(event, context, apply_configuration, bucket + "-notifications")


def apply_configuration(event, secrets):
    """The work of one request: returns (physical id, data)."""
    props = event.get("ResourceProperties", {})
    bucket = props.get("BucketName", "")
    if event["RequestType"] == "Delete":
        try:
            s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
        except s3.exceptions.NoSuchBucket:
            pass
    else:
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration=props.get("NotificationConfiguration", {}))
    return event.get("PhysicalResourceId") or bucket + "-notifications", {}
