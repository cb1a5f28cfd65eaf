"""The handler of `Custom::S3BucketNotifications` (functions/dsl/bucket-notifications/index.py,
inlined by the DSL's `Bucket` as the `ZipFile` of `BucketNotificationsHandler`): boto3's S3 client
against a moto server, a local HTTP server as CloudFormation's ResponseURL.

The handler answers through functions/shared/cfn_response.py (`import cfn_response`, found through
the folder's link as in the zipped handlers). The DSL embeds the file's text at build time with
that module's code in place of the import (scripts/embed-functions); the last test runs that
embedded text as Lambda would, from a folder holding only `index.py`.
"""
import importlib.machinery
import importlib.util
import json
import os
import sys

import boto3
import pytest

from conftest import FUNCTIONS, LambdaContext, event

FOLDER = os.path.join(FUNCTIONS, "dsl", "bucket-notifications")
HANDLER = os.path.join(FOLDER, "index.py")
EMBED = os.path.join(FUNCTIONS, "..", "scripts", "embed-functions")
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:worker"
CONFIG = {"LambdaFunctionConfigurations": [{
    "Events": ["s3:ObjectCreated:*"], "LambdaFunctionArn": FUNCTION_ARN,
    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}},
}]}


@pytest.fixture(scope="module")
def handler(moto_endpoint):
    """The module, imported once moto's endpoint is in the environment (it makes its client at import)."""
    sys.path.insert(0, FOLDER)
    try:
        spec = importlib.util.spec_from_file_location("bucket_notifications_index", HANDLER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(FOLDER)


@pytest.fixture(scope="module")
def embedded_text():
    """The text the DSL inlines as `index.py`: scripts/embed-functions' own inlining."""
    loader = importlib.machinery.SourceFileLoader("embed_functions", EMBED)
    spec = importlib.util.spec_from_loader("embed_functions", loader)
    embed = importlib.util.module_from_spec(spec)
    loader.exec_module(embed)
    with open(HANDLER, encoding="utf-8") as f:
        return embed.inline_shared(f.read(), "functions/dsl/bucket-notifications/index.py")


@pytest.fixture
def s3(moto_endpoint):
    return boto3.client("s3")


def run(handler, cfn, request_type, properties, physical_id=None):
    e = event(request_type, cfn.url, properties, physical_id, resource_type="Custom::S3BucketNotifications")
    handler.handler(e, LambdaContext())
    return e, json.loads(cfn.requests[-1]["body"])


def configurations(s3, bucket):
    answer = s3.get_bucket_notification_configuration(Bucket=bucket)
    return answer.get("LambdaFunctionConfigurations", [])


def test_create_applies_the_configuration(handler, s3, cfn):
    s3.create_bucket(Bucket="photos-create")
    e, body = run(handler, cfn, "Create", {"BucketName": "photos-create", "NotificationConfiguration": CONFIG})
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "photos-create-notifications"
    assert (body["StackId"], body["RequestId"], body["LogicalResourceId"]) == (e["StackId"], e["RequestId"],
                                                                               e["LogicalResourceId"])
    assert body["Reason"] == "See the log stream " + LambdaContext.log_stream_name
    assert cfn.only()["headers"].get("Content-Type") == ""
    [applied] = configurations(s3, "photos-create")
    assert applied["LambdaFunctionArn"] == FUNCTION_ARN
    assert applied["Events"] == ["s3:ObjectCreated:*"]
    assert applied["Filter"]["Key"]["FilterRules"] == [{"Name": "suffix", "Value": ".jpg"}]


def test_update_replaces_it_and_keeps_the_physical_id(handler, s3, cfn):
    s3.create_bucket(Bucket="photos-update")
    run(handler, cfn, "Create", {"BucketName": "photos-update", "NotificationConfiguration": CONFIG})
    other = {"LambdaFunctionConfigurations": [{"Events": ["s3:ObjectRemoved:*"], "LambdaFunctionArn": FUNCTION_ARN}]}
    _, body = run(handler, cfn, "Update", {"BucketName": "photos-update", "NotificationConfiguration": other},
                  physical_id="photos-update-notifications")
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "photos-update-notifications"
    assert [c["Events"] for c in configurations(s3, "photos-update")] == [["s3:ObjectRemoved:*"]]


def test_delete_clears_the_configuration(handler, s3, cfn):
    s3.create_bucket(Bucket="photos-delete")
    run(handler, cfn, "Create", {"BucketName": "photos-delete", "NotificationConfiguration": CONFIG})
    assert configurations(s3, "photos-delete")
    _, body = run(handler, cfn, "Delete", {"BucketName": "photos-delete"}, physical_id="photos-delete-notifications")
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert configurations(s3, "photos-delete") == []


def test_delete_of_a_bucket_already_gone_succeeds(handler, cfn):
    _, body = run(handler, cfn, "Delete", {"BucketName": "never-created"}, physical_id="never-created-notifications")
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "never-created-notifications"


def test_a_failure_is_answered_with_s3s_message(handler, cfn):
    _, body = run(handler, cfn, "Update", {"BucketName": "missing-bucket", "NotificationConfiguration": CONFIG},
                  physical_id="missing-bucket-notifications")
    assert body["Status"] == "FAILED"
    assert "NoSuchBucket" in body["Reason"]
    assert body["PhysicalResourceId"] == "missing-bucket-notifications"


def test_the_embedded_text_answers_with_the_shared_module(embedded_text, moto_endpoint, s3, cfn, tmp_path):
    assert "\nimport cfn_response\n" not in embedded_text
    with open(os.path.join(FUNCTIONS, "shared", "cfn_response.py"), encoding="utf-8") as f:
        shared = f.read()
    assert shared[shared.index("def send("):].rstrip() in embedded_text
    # As Lambda runs a ZipFile: `index.py` alone in its folder, imported as module `index`.
    (tmp_path / "index.py").write_text(embedded_text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("index", tmp_path / "index.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["index"] = module
    try:
        spec.loader.exec_module(module)
        s3.create_bucket(Bucket="photos-embedded")
        e, body = run(module, cfn, "Create", {"BucketName": "photos-embedded", "NotificationConfiguration": CONFIG})
    finally:
        del sys.modules["index"]
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "photos-embedded-notifications"
    assert body["NoEcho"] is False and body["Data"] == {}
    assert module.cfn_response is module
    [applied] = configurations(s3, "photos-embedded")
    assert applied["LambdaFunctionArn"] == FUNCTION_ARN
