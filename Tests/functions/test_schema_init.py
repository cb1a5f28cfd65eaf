"""The coral pipeline's schema initializer (functions/coral-pipeline/schema-init): boto3's RDS Data
API client against a moto server, a local HTTP server as CloudFormation's ResponseURL.

What moto shows: the ExecuteStatement requests as boto3 sends them (signed, validated against the
service model) and which (cluster ARN, SQL) pairs reached moto's RDS Data backend, in order (moto
records a statement when a result is queued for it). moto runs no SQL and never answers
DatabaseResumingException, so the retry of a resuming Aurora Serverless database runs against
botocore's Stubber, a scripted stand-in that says so.
"""
import json

import boto3
import pytest
import requests
from botocore.stub import Stubber

from conftest import REGION, LambdaContext, event, load_handler

app = load_handler("coral-pipeline/schema-init", "schema_init_app")

CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:coral-db"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:coral-db-AbCdEf"
STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS coral_coverage(island VARCHAR(30) NOT NULL, PRIMARY KEY (island))",
    "CREATE INDEX IF NOT EXISTS coral_island ON coral_coverage(island)",
]


def props(statements=STATEMENTS):
    return {"ClusterArn": CLUSTER, "SecretArn": SECRET, "DatabaseName": "coral", "Statements": statements}


def run(cfn, request_type, properties, physical_id=None):
    e = event(request_type, cfn.url, properties, physical_id, resource_type="Custom::CoralSchema")
    app.handler(e, LambdaContext(120))
    return e, json.loads(cfn.requests[-1]["body"])


def executed(moto_endpoint, count):
    """Queues `count` results so moto's backend records each statement it receives; returns a
    function listing the (resource ARN, SQL) pairs it recorded."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.rdsdata.models import rdsdata_backends

    backend = rdsdata_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.sql_results.clear()
    backend.results_queue.clear()
    answer = requests.post(moto_endpoint + "/moto-api/static/rds-data/statement-results",
                           json={"region": REGION, "results": [{"numberOfRecordsUpdated": 0}] * count})
    assert answer.status_code == 201, answer.text
    return lambda: list(backend.sql_results)


def test_create_runs_every_statement_in_order(moto_endpoint, cfn):
    recorded = executed(moto_endpoint, len(STATEMENTS))
    e, body = run(cfn, "Create", props())
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "schema-coral"
    assert body["Data"] == {"Statements": "2"}
    assert (body["StackId"], body["RequestId"], body["LogicalResourceId"]) == (e["StackId"], e["RequestId"],
                                                                               e["LogicalResourceId"])
    assert cfn.only()["headers"].get("Content-Type") == ""
    assert recorded() == [(CLUSTER, sql) for sql in STATEMENTS]


def test_update_runs_them_again_and_keeps_the_physical_id(moto_endpoint, cfn):
    recorded = executed(moto_endpoint, len(STATEMENTS))
    _, body = run(cfn, "Update", props(), physical_id="schema-coral")
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "schema-coral"
    assert recorded() == [(CLUSTER, sql) for sql in STATEMENTS]


def test_delete_keeps_the_data(moto_endpoint, cfn):
    recorded = executed(moto_endpoint, len(STATEMENTS))
    _, body = run(cfn, "Delete", props(), physical_id="schema-coral")
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "schema-coral"
    assert recorded() == []


def test_missing_property_fails(moto_endpoint, cfn):
    _, body = run(cfn, "Create", dict(props(), ClusterArn=""))
    assert body["Status"] == "FAILED"
    assert "ClusterArn is missing" in body["Reason"]
    assert body["PhysicalResourceId"] == "schema-coral"


def test_statements_must_be_a_list_of_strings(moto_endpoint, cfn):
    _, body = run(cfn, "Create", dict(props(), Statements="CREATE TABLE x(a INT)"))
    assert body["Status"] == "FAILED" and "list of SQL strings" in body["Reason"]


def stubbed_client(monkeypatch, responses):
    """boto3's rds-data client with botocore's Stubber (scripted: moto cannot answer these errors)."""
    client = boto3.client("rds-data", region_name=REGION)
    stubber = Stubber(client)
    for kind, value in responses:
        if kind == "error":
            stubber.add_client_error("execute_statement", service_error_code=value, http_status_code=400)
        else:
            stubber.add_response("execute_statement", {"numberOfRecordsUpdated": 0},
                                 {"resourceArn": CLUSTER, "secretArn": SECRET, "database": "coral", "sql": value})
    stubber.activate()
    monkeypatch.setattr(app.boto3, "client", lambda service, **kw: client)
    sleeps = []
    monkeypatch.setattr(app.time, "sleep", sleeps.append)
    return stubber, sleeps


def test_a_resuming_database_is_retried(moto_endpoint, cfn, monkeypatch):
    stubber, sleeps = stubbed_client(monkeypatch, [
        ("error", "DatabaseResumingException"), ("error", "DatabaseResumingException"),
        ("ok", STATEMENTS[0]), ("ok", STATEMENTS[1])])
    _, body = run(cfn, "Create", props())
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert sleeps == [app.RETRY_DELAY, app.RETRY_DELAY]
    stubber.assert_no_pending_responses()


def test_an_sql_error_fails_naming_the_statement(moto_endpoint, cfn, monkeypatch):
    stubber, sleeps = stubbed_client(monkeypatch, [("ok", STATEMENTS[0]), ("error", "BadRequestException")])
    _, body = run(cfn, "Create", props())
    assert body["Status"] == "FAILED"
    assert "statement 2 of 2 failed" in body["Reason"] and "BadRequestException" in body["Reason"]
    assert sleeps == []
