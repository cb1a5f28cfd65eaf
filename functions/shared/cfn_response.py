"""The answer of a CloudFormation custom resource, written once for every custom resource handler
of infra's stacks (each function's folder links this file, so it lands in each zip).

CloudFormation invokes the handler with an event (RequestType Create, Update or Delete,
ResourceProperties, a pre-signed S3 `ResponseURL`, StackId, RequestId, LogicalResourceId and, for
Update and Delete, the PhysicalResourceId it returned before) and then waits, up to an hour, for
one JSON document PUT to the ResponseURL:

    {"Status": "SUCCESS" | "FAILED", "Reason": "...", "PhysicalResourceId": "...",
     "StackId": ..., "RequestId": ..., "LogicalResourceId": ..., "NoEcho": false, "Data": {...}}

The URL is signed without a content type, so the request carries `Content-Type: ` (empty); the
document must stay under 4096 bytes. A changed PhysicalResourceId on Update makes CloudFormation
send a Delete for the old one after the update.

`handle` runs the work and always answers, SUCCESS or FAILED, so a failing handler fails the stack
operation at once instead of leaving CloudFormation waiting for an hour. Secrets the work learns
are registered in `secrets` and replaced by `****` in the Reason and in the log. The event itself
is never logged: its ResponseURL is a credential for the answer.
"""
import json
import time
import urllib.error
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"
# CloudFormation rejects response documents of 4096 bytes or more.
MAX_RESPONSE_BYTES = 4096
REDACTED = "****"


def handle(event, context, work, default_physical_id):
    """Runs `work(event, secrets)` and answers CloudFormation.

    `work` returns `(physical_id, data)`; `secrets` is a list it appends every secret value to as
    soon as it holds one. An exception becomes a FAILED answer whose Reason is the exception's
    type and message with every secret redacted. Without an earlier PhysicalResourceId (a failed
    Create), the answer names `default_physical_id`.
    """
    secrets = []
    status, reason, data = SUCCESS, "", {}
    physical_id = event.get("PhysicalResourceId") or default_physical_id
    try:
        physical_id, data = work(event, secrets)
    except Exception as error:  # answered as FAILED: CloudFormation rolls back
        status = FAILED
        reason = redact("%s: %s" % (type(error).__name__, error), secrets)
    log("%s %s %s: %s%s" % (event.get("RequestType"), event.get("LogicalResourceId"), physical_id, status,
                            (" (" + reason + ")") if reason else ""))
    send(event, context, status, reason=reason, physical_id=physical_id, data=data)
    return {"Status": status, "PhysicalResourceId": physical_id}


def redact(text, secrets):
    """`text` with every non-empty secret replaced by `****`."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def body(event, context, status, reason="", physical_id=None, data=None, no_echo=False):
    """The response document (bytes), Reason shortened so the whole stays under 4096 bytes."""
    if status not in (SUCCESS, FAILED):
        raise ValueError("status must be SUCCESS or FAILED, not %r" % (status,))
    document = {
        "Status": status,
        "Reason": reason or "See the log stream %s" % getattr(context, "log_stream_name", "?"),
        "PhysicalResourceId": physical_id or event.get("PhysicalResourceId") or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": bool(no_echo),
        "Data": data or {},
    }
    encoded = json.dumps(document, sort_keys=True).encode()
    while len(encoded) >= MAX_RESPONSE_BYTES and len(document["Reason"]) > 3:
        excess = len(encoded) - MAX_RESPONSE_BYTES + 1
        document["Reason"] = document["Reason"][: max(0, len(document["Reason"]) - excess - 3)] + "..."
        encoded = json.dumps(document, sort_keys=True).encode()
    if len(encoded) >= MAX_RESPONSE_BYTES:
        raise ValueError("the response is %d bytes (Data too large); CloudFormation accepts less than %d"
                         % (len(encoded), MAX_RESPONSE_BYTES))
    return encoded


def send(event, context, status, reason="", physical_id=None, data=None, no_echo=False, attempts=4):
    """PUTs the response to the event's ResponseURL, retrying transient failures (S3 5xx, a reset
    connection) with backoff: a lost answer would leave the stack waiting for an hour."""
    encoded = body(event, context, status, reason, physical_id, data, no_echo)
    for attempt in range(attempts):
        request = urllib.request.Request(event["ResponseURL"], data=encoded, method="PUT",
                                         headers={"Content-Type": "", "Content-Length": str(len(encoded))})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == attempts - 1:
                log("the response to CloudFormation was refused: HTTP %d" % error.code)
                raise
        except OSError as error:
            if attempt == attempts - 1:
                log("the response to CloudFormation could not be sent: %s" % type(error).__name__)
                raise
        time.sleep(min(2 ** attempt, 8))


def log(message):
    print(message, flush=True)
