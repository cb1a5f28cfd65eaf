"""The labeling tool's database initializer (functions/labeling-tool/db-init) against a real
PostgreSQL server with TLS, Secrets Manager on a moto server, and a local HTTP server as
CloudFormation's ResponseURL."""
import json
import os
import socket
import ssl
import struct
import threading
import time
import urllib.parse

import pytest

from conftest import LambdaContext, event, load_handler, put_secret

app = load_handler("labeling-tool/db-init", "db_init_app")


@pytest.fixture
def trust_test_ca(postgres, monkeypatch):
    """The handler trusts the CA that signed the test server instead of Amazon RDS's bundle."""
    monkeypatch.setattr(app, "CA_BUNDLE", postgres.ca_file)


def secret_for(postgres, user="master", host="localhost", password=None):
    return put_secret("db-" + user, {
        "username": user, "password": password if password is not None else postgres.passwords[user],
        "host": host, "port": postgres.port, "engine": "postgres", "dbClusterIdentifier": "labeling-db",
    })


def run(cfn, request_type, props, physical_id=None, remaining=60):
    e = event(request_type, cfn.url, props, physical_id)
    app.handler(e, LambdaContext(remaining))
    request = cfn.requests[-1]
    return e, request, json.loads(request["body"])


def assert_answer_protocol(e, request, body):
    """The document CloudFormation expects, PUT to the pre-signed URL without a content type."""
    assert request["method"] == "PUT"
    url = urllib.parse.urlsplit(e["ResponseURL"])
    assert request["path"] == url.path + "?" + url.query  # the pre-signed URL, query included
    assert request["headers"].get("Content-Type") == ""
    assert int(request["headers"]["Content-Length"]) == len(request["body"]) < 4096
    assert set(body) == {"Status", "Reason", "PhysicalResourceId", "StackId", "RequestId", "LogicalResourceId",
                         "NoEcho", "Data"}
    assert body["StackId"] == e["StackId"]
    assert body["RequestId"] == e["RequestId"]
    assert body["LogicalResourceId"] == e["LogicalResourceId"]
    assert body["NoEcho"] is False
    assert body["Status"] in ("SUCCESS", "FAILED")


def assert_no_secret(postgres, cfn, capsys, *passwords):
    out = capsys.readouterr()
    for password in passwords or postgres.passwords.values():
        for request in cfn.requests:
            assert password.encode() not in request["body"]
        assert password not in out.out and password not in out.err


def test_create_update_delete(postgres, moto_endpoint, cfn, trust_test_ca, capsys):
    arn = secret_for(postgres)
    props = {"SecretArn": arn, "DatabaseName": "labelingdb"}
    assert not postgres.database_exists("labelingdb")

    e, request, body = run(cfn, "Create", props)
    assert_answer_protocol(e, request, body)
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "database-labelingdb"
    assert body["Data"] == {"Created": "true"}
    assert postgres.database_exists("labelingdb")

    e, request, body = run(cfn, "Update", props, physical_id="database-labelingdb")
    assert_answer_protocol(e, request, body)
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "database-labelingdb"
    assert body["Data"] == {"Created": "false"}  # idempotent: it already exists

    e, request, body = run(cfn, "Delete", props, physical_id="database-labelingdb")
    assert_answer_protocol(e, request, body)
    assert body["Status"] == "SUCCESS", body["Reason"]
    assert body["PhysicalResourceId"] == "database-labelingdb"
    assert postgres.database_exists("labelingdb")  # Delete keeps the data
    assert len(cfn.requests) == 3
    assert_no_secret(postgres, cfn, capsys)


def test_login_uses_scram_and_is_logged_by_the_server(postgres, moto_endpoint, cfn, trust_test_ca):
    arn = secret_for(postgres)
    _, _, body = run(cfn, "Create", {"SecretArn": arn, "DatabaseName": "scramcheck"})
    assert body["Status"] == "SUCCESS", body["Reason"]
    with open(postgres.log_file, errors="replace") as f:
        log = f.read()
    assert "connection authorized: user=master database=postgres SSL enabled" in log


def test_delete_needs_no_database(moto_endpoint, cfn):
    """Delete answers without reading the secret or connecting (the cluster may be gone)."""
    _, _, body = run(cfn, "Delete", {"SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone",
                                     "DatabaseName": "x"}, physical_id="database-x")
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "database-x"


def test_refuses_a_server_whose_certificate_is_not_from_the_bundle(postgres, moto_endpoint, cfn, monkeypatch, capsys):
    monkeypatch.setattr(app, "CA_BUNDLE", postgres.other_ca_file)
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres), "DatabaseName": "untrusted"})
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == "database-untrusted"
    assert "not verified by the RDS CA bundle" in body["Reason"]
    assert not postgres.database_exists("untrusted")
    assert_no_secret(postgres, cfn, capsys)


def test_refuses_a_certificate_for_another_host_name(postgres, moto_endpoint, cfn, trust_test_ca, capsys):
    # The certificate names DNS:localhost only; the secret says 127.0.0.1.
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres, host="127.0.0.1"), "DatabaseName": "wrongname"})
    assert body["Status"] == "FAILED"
    assert "not verified" in body["Reason"] and "127.0.0.1" in body["Reason"]
    assert not postgres.database_exists("wrongname")
    assert_no_secret(postgres, cfn, capsys)


def test_the_real_rds_bundle_does_not_trust_the_test_server(postgres, moto_endpoint, cfn, capsys):
    """Without the test CA the shipped bundle is used, and it refuses a certificate that AWS did not issue."""
    assert app.CA_BUNDLE.endswith("global-bundle.pem") and os.path.exists(app.CA_BUNDLE)
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres), "DatabaseName": "notrds"})
    assert body["Status"] == "FAILED"
    assert "not verified by the RDS CA bundle" in body["Reason"]
    assert_no_secret(postgres, cfn, capsys)


@pytest.mark.parametrize("user, words", [("md5user", "an MD5 password hash"), ("clearuser", "a cleartext password")])
def test_refuses_md5_and_cleartext_password_requests(postgres, moto_endpoint, cfn, trust_test_ca, capsys, user, words):
    name = "via" + user
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres, user=user), "DatabaseName": name})
    assert body["Status"] == "FAILED"
    assert "RefusedServer" in body["Reason"] and words in body["Reason"]
    assert "password_encryption = scram-sha-256" in body["Reason"]
    assert not postgres.database_exists(name)
    assert_no_secret(postgres, cfn, capsys)


def test_wrong_password_fails_without_echoing_it(postgres, moto_endpoint, cfn, trust_test_ca, capsys):
    wrong = "Wrong-" + postgres.passwords["master"]
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres, password=wrong), "DatabaseName": "wrongpw"})
    assert body["Status"] == "FAILED"
    assert "password authentication failed for user" in body["Reason"]
    assert_no_secret(postgres, cfn, capsys, wrong, postgres.passwords["master"])


def test_a_secret_in_an_error_message_is_redacted(postgres, moto_endpoint, cfn, trust_test_ca, monkeypatch, capsys):
    def leaky(host, port, user, password, name, deadline, cafile=None):
        raise RuntimeError("driver said: bad password %r for %s" % (password, user))

    monkeypatch.setattr(app, "ensure_database", leaky)
    _, _, body = run(cfn, "Create", {"SecretArn": secret_for(postgres), "DatabaseName": "leaky"})
    assert body["Status"] == "FAILED"
    assert "****" in body["Reason"]
    assert_no_secret(postgres, cfn, capsys)


def test_invalid_database_name_fails_before_connecting(moto_endpoint, cfn):
    _, _, body = run(cfn, "Create", {"SecretArn": "unused", "DatabaseName": 'x"; DROP DATABASE postgres; --'})
    assert body["Status"] == "FAILED"
    assert "is not a plain PostgreSQL name" in body["Reason"]


def test_unreachable_database_fails_within_the_functions_time(postgres, moto_endpoint, cfn, trust_test_ca):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    arn = put_secret("db-closed", {"username": "master", "password": "x", "host": "localhost", "port": closed_port})
    started = time.monotonic()
    _, _, body = run(cfn, "Create", {"SecretArn": arn, "DatabaseName": "closed"}, remaining=app.ANSWER_RESERVE + 3)
    assert time.monotonic() - started < 10
    assert body["Status"] == "FAILED"
    assert "cannot reach the database at localhost:%d" % closed_port in body["Reason"]


# --- An impostor on the database address ---------------------------------------------------------
# A scripted server (no real PostgreSQL asks for a password before TLS is verified, and a real one
# cannot show what a client sends next): it completes TLS with a certificate the handler trusts,
# then asks for a cleartext or MD5 password and records every byte the client sends afterwards.

class Impostor:
    def __init__(self, cert, key, auth_request, offer_tls=True):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.auth_request = auth_request
        self.offer_tls = offer_tls
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.after_request = b""
        self.startup = b""
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.listener.accept()
        conn.settimeout(10)
        try:
            conn.recv(8)  # SSLRequest
            if not self.offer_tls:
                conn.sendall(b"N")
                self.after_request = conn.recv(4096)
                return
            conn.sendall(b"S")
            tls = self.context.wrap_socket(conn, server_side=True)
            size = struct.unpack("!i", tls.recv(4))[0]
            self.startup = tls.recv(size - 4)
            tls.sendall(b"R" + struct.pack("!i", len(self.auth_request) + 4) + self.auth_request)
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                self.after_request += chunk
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()
            self.listener.close()


@pytest.mark.parametrize("auth_request", [struct.pack("!i", 3), struct.pack("!i", 5) + b"salt"], ids=["cleartext", "md5"])
def test_an_impostor_asking_for_a_password_receives_nothing(tls_material, moto_endpoint, cfn, monkeypatch, capsys,
                                                            auth_request):
    monkeypatch.setattr(app, "CA_BUNDLE", tls_material["ca"])
    impostor = Impostor(tls_material["cert"], tls_material["key"], auth_request)
    password = "Secret-" + os.urandom(8).hex()
    arn = put_secret("db-impostor", {"username": "master", "password": password, "host": "localhost",
                                     "port": impostor.port})
    _, _, body = run(cfn, "Create", {"SecretArn": arn, "DatabaseName": "labelingdb"})
    impostor.thread.join(10)
    assert b"user\x00master" in impostor.startup
    assert body["Status"] == "FAILED" and "RefusedServer" in body["Reason"]
    # The client hung up; at most a Terminate message ('X'), never a PasswordMessage ('p').
    assert impostor.after_request in (b"", b"X\x00\x00\x00\x04")
    assert password.encode() not in impostor.after_request
    out = capsys.readouterr()
    assert password not in out.out + out.err and password.encode() not in cfn.only()["body"]


def test_a_server_without_tls_gets_no_startup_message(tls_material, moto_endpoint, cfn):
    impostor = Impostor(tls_material["cert"], tls_material["key"], b"", offer_tls=False)
    arn = put_secret("db-notls", {"username": "master", "password": "pw-notls", "host": "localhost",
                                  "port": impostor.port})
    _, _, body = run(cfn, "Create", {"SecretArn": arn, "DatabaseName": "labelingdb"})
    impostor.thread.join(10)
    assert body["Status"] == "FAILED" and "does not offer TLS" in body["Reason"]
    assert impostor.after_request == b""


# --- SCRAM against the RFC 7677 test vector ------------------------------------------------------

def test_scram_sha_256_matches_rfc_7677():
    scram = app.Scram("pencil", nonce="rOprNGfwEbeRWgbNEkqO")
    scram.first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO"  # the RFC's exchange names the user
    final = scram.client_final(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                               b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    assert final == (b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                     b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    scram.verify_server(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    with pytest.raises(app.RefusedServer):
        scram.verify_server(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
