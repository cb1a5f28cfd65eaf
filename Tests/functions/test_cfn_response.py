"""functions/shared/cfn_response.py: the one answer to CloudFormation, against a local HTTP server."""
import json
import os
import sys
import urllib.error

import pytest

from conftest import FUNCTIONS, LambdaContext, event

sys.path.insert(0, os.path.join(FUNCTIONS, "shared"))
import cfn_response  # noqa: E402

sys.path.pop(0)


def test_every_handler_zip_links_the_one_shared_module():
    shared = os.path.join(FUNCTIONS, "shared", "cfn_response.py")
    for folder in ("labeling-tool/db-init", "coral-pipeline/schema-init"):
        link = os.path.join(FUNCTIONS, folder, "cfn_response.py")
        assert os.path.islink(link), link
        assert os.path.samefile(link, shared)


def test_success_document(cfn):
    e = event("Create", cfn.url, {"A": "b"})
    result = cfn_response.handle(e, LambdaContext(), lambda ev, secrets: ("my-id", {"Key": "value"}), "default-id")
    assert result == {"Status": "SUCCESS", "PhysicalResourceId": "my-id"}
    request = cfn.only()
    assert request["headers"]["Content-Type"] == ""
    assert json.loads(request["body"]) == {
        "Status": "SUCCESS", "Reason": "See the log stream " + LambdaContext.log_stream_name,
        "PhysicalResourceId": "my-id", "StackId": e["StackId"], "RequestId": e["RequestId"],
        "LogicalResourceId": e["LogicalResourceId"], "NoEcho": False, "Data": {"Key": "value"}}


def test_failed_create_names_the_default_id_and_update_keeps_the_old_one(cfn):
    def boom(ev, secrets):
        raise ValueError("bad input")

    cfn_response.handle(event("Create", cfn.url, {}), LambdaContext(), boom, "default-id")
    cfn_response.handle(event("Update", cfn.url, {}, physical_id="old-id"), LambdaContext(), boom, "default-id")
    first, second = (json.loads(r["body"]) for r in cfn.requests)
    assert (first["Status"], first["PhysicalResourceId"], first["Reason"]) == ("FAILED", "default-id", "ValueError: bad input")
    assert (second["Status"], second["PhysicalResourceId"]) == ("FAILED", "old-id")


def test_secrets_are_redacted_in_the_reason_and_the_log(cfn, capsys):
    def leaky(ev, secrets):
        secrets.append("hunter2-long-secret")
        secrets.append("")
        raise RuntimeError("could not log in with hunter2-long-secret")

    cfn_response.handle(event("Create", cfn.url, {}), LambdaContext(), leaky, "id")
    body = json.loads(cfn.only()["body"])
    assert body["Reason"] == "RuntimeError: could not log in with ****"
    out = capsys.readouterr().out
    assert "hunter2" not in out and "****" in out


def test_the_event_and_its_response_url_are_not_logged(cfn, capsys):
    cfn_response.handle(event("Create", cfn.url, {"Secretish": "x"}), LambdaContext(), lambda ev, s: ("id", {}), "id")
    out = capsys.readouterr().out
    assert "X-Amz-Signature" not in out and "127.0.0.1" not in out and "Create DatabaseInitialization id: SUCCESS" in out


def test_a_long_reason_is_cut_to_fit_4096_bytes(cfn):
    def verbose(ev, secrets):
        raise RuntimeError("x" * 10000)

    cfn_response.handle(event("Create", cfn.url, {}), LambdaContext(), verbose, "id")
    request = cfn.only()
    assert len(request["body"]) < 4096
    body = json.loads(request["body"])
    assert body["Status"] == "FAILED" and body["Reason"].endswith("...")


def test_data_too_large_is_an_error_not_a_silent_cut():
    e = event("Create", "http://unused", {})
    with pytest.raises(ValueError, match="Data too large"):
        cfn_response.body(e, LambdaContext(), "SUCCESS", data={"Big": "y" * 5000})


def test_server_errors_are_retried(cfn, monkeypatch):
    sleeps = []
    monkeypatch.setattr(cfn_response.time, "sleep", sleeps.append)
    cfn.fail_next = [503, 500]
    status = cfn_response.send(event("Create", cfn.url, {}), LambdaContext(), "SUCCESS", physical_id="id")
    assert status == 200
    assert len(cfn.requests) == 3 and sleeps == [1, 2]
    assert len({r["body"] for r in cfn.requests}) == 1


def test_a_refused_answer_is_not_retried(cfn, monkeypatch):
    monkeypatch.setattr(cfn_response.time, "sleep", lambda s: None)
    cfn.fail_next = [403]
    with pytest.raises(urllib.error.HTTPError):
        cfn_response.send(event("Create", cfn.url, {}), LambdaContext(), "SUCCESS", physical_id="id")
    assert len(cfn.requests) == 1
