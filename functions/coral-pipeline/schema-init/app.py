"""Creates the coral pipeline's tables through the RDS Data API: the handler of the custom resource
`Custom::CoralSchema`. It needs no VPC and no database driver.

Properties: ClusterArn, SecretArn, DatabaseName and Statements (SQL, each idempotent, e.g.
`CREATE TABLE IF NOT EXISTS`). Create and Update run every statement in order; Delete keeps the
data. A database that is resuming (Aurora Serverless scaled to zero) or still starting is retried
every 10 seconds for as long as the function's time allows, keeping enough to answer
CloudFormation.
"""
import time

import boto3

import cfn_response

RETRYABLE = ("DatabaseResumingException", "DatabaseNotFoundException", "DatabaseUnavailableException")
RETRY_DELAY = 10
# Seconds kept back from the function's timeout to answer CloudFormation.
ANSWER_RESERVE = 15


def handler(event, context):
    name = event.get("ResourceProperties", {}).get("DatabaseName", "")
    return cfn_response.handle(event, context, lambda e, secrets: apply_schema(e, context), "schema-" + name)


def apply_schema(event, context):
    """The work of one request: returns (physical id, data)."""
    props = event.get("ResourceProperties", {})
    physical_id = event.get("PhysicalResourceId") or "schema-" + props.get("DatabaseName", "")
    if event["RequestType"] == "Delete":
        return physical_id, {}
    for key in ("ClusterArn", "SecretArn", "DatabaseName"):
        if not props.get(key):
            raise ValueError("the property %s is missing" % key)
    statements = props.get("Statements", [])
    if not isinstance(statements, list) or not all(isinstance(s, str) for s in statements):
        raise ValueError("Statements must be a list of SQL strings")
    client = boto3.client("rds-data")
    deadline = time.monotonic() + remaining_seconds(context) - ANSWER_RESERVE
    for index, sql in enumerate(statements):
        try:
            execute(client, props, sql, deadline)
        except Exception as error:
            raise RuntimeError("statement %d of %d failed: %s" % (index + 1, len(statements), error)) from None
    return physical_id, {"Statements": str(len(statements))}


def remaining_seconds(context):
    try:
        return context.get_remaining_time_in_millis() / 1000
    except AttributeError:
        return 300


def execute(client, props, sql, deadline):
    while True:
        try:
            return client.execute_statement(resourceArn=props["ClusterArn"], secretArn=props["SecretArn"],
                                            database=props["DatabaseName"], sql=sql)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            if code not in RETRYABLE or time.monotonic() + RETRY_DELAY >= deadline:
                raise
            cfn_response.log("%s: retrying in %d s" % (code, RETRY_DELAY))
            time.sleep(RETRY_DELAY)
