extension CoralPipelineStack {
    /// The schema initializer (`Custom::CoralSchema`): inline Python 3.13 with boto3 (the RDS Data
    /// API), so it needs no VPC and no database driver.
    public static let schemaInitializerSource = #"""
    """Creates the coral pipeline's tables through the RDS Data API (a CloudFormation custom
    resource, `Custom::CoralSchema`). Create and Update run every statement of `Statements` (they
    are idempotent: `CREATE TABLE IF NOT EXISTS`); Delete keeps the data. A database that is
    resuming or still starting is retried for about two minutes.
    """
    import json
    import time
    import urllib.request

    import boto3

    RETRYABLE = ("DatabaseResumingException", "DatabaseNotFoundException", "DatabaseUnavailableException")


    def handler(event, context):
        props = event.get("ResourceProperties", {})
        status, reason = "SUCCESS", ""
        try:
            if event["RequestType"] in ("Create", "Update"):
                client = boto3.client("rds-data")
                for sql in props.get("Statements", []):
                    execute(client, props, sql)
        except Exception as error:  # reported to CloudFormation, which rolls back
            status, reason = "FAILED", str(error)
        body = json.dumps({
            "Status": status, "Reason": (reason or "see log stream " + context.log_stream_name)[:1000],
            "PhysicalResourceId": event.get("PhysicalResourceId") or "schema-" + props.get("DatabaseName", ""),
            "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        }).encode()
        request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                         headers={"Content-Type": "", "Content-Length": str(len(body))})
        urllib.request.urlopen(request, timeout=30).close()


    def execute(client, props, sql):
        for attempt in range(12):
            try:
                return client.execute_statement(resourceArn=props["ClusterArn"], secretArn=props["SecretArn"],
                                                database=props["DatabaseName"], sql=sql)
            except Exception as error:
                code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
                if code not in RETRYABLE or attempt == 11:
                    raise
                time.sleep(10)
    """#

    /// The seed's schema: `coral_coverage`, created if it does not exist.
    public static let schemaStatements = [
        """
        CREATE TABLE IF NOT EXISTS coral_coverage(
            island VARCHAR(30) NOT NULL,
            location INT NOT NULL,
            year INT NOT NULL,
            coverage DECIMAL(5,2) NOT NULL,
            last_update DATE NOT NULL,
            PRIMARY KEY (island, location, year)
        )
        """,
    ]
}
