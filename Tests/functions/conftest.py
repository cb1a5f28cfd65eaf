"""Fixtures of the custom resource handlers' tests: a real PostgreSQL server with TLS from a CA made
here, a moto server (Secrets Manager, RDS Data API) that boto3 reaches through AWS_ENDPOINT_URL, and
a local HTTP server standing in for CloudFormation's pre-signed ResponseURL.

Run through scripts/test-functions, which installs PostgreSQL and the pinned Python packages.
"""
import glob
import http.server
import importlib.util
import json
import os
import pwd
import secrets as random_secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FUNCTIONS = os.path.join(ROOT, "functions")
REGION = "us-east-1"


def load_handler(relative_dir, name):
    """Imports functions/<relative_dir>/app.py as module `name`, with its folder first on the path
    (so `import cfn_response` finds the link that is zipped with it)."""
    folder = os.path.join(FUNCTIONS, relative_dir)
    sys.path.insert(0, folder)
    try:
        spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "app.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(folder)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- AWS: a moto server --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = "http://%s:%d" % (host, port)
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    })
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    yield endpoint
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


ENV_KEYS = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION",
            "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_SESSION_TOKEN", "AWS_PROFILE")


# --- CloudFormation's ResponseURL ----------------------------------------------------------------

@dataclass
class ResponseServer:
    url: str
    requests: list = field(default_factory=list)
    fail_next: list = field(default_factory=list)  # status codes to answer before succeeding

    def only(self):
        assert len(self.requests) == 1, "expected one response to CloudFormation, got %d" % len(self.requests)
        return self.requests[0]


@pytest.fixture
def cfn():
    """A local HTTP server playing the pre-signed S3 URL that CloudFormation hands the handler."""
    state = ResponseServer(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def do_PUT(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append({"method": "PUT", "path": self.path, "headers": dict(self.headers), "body": body})
            status = state.fail_next.pop(0) if state.fail_next else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = "http://127.0.0.1:%d/cloudformation-response/stack-1?X-Amz-Signature=abc&X-Amz-Expires=7200" % server.server_address[1]
    yield state
    server.shutdown()
    server.server_close()


class LambdaContext:
    log_stream_name = "2026/12/07/[$LATEST]0123456789abcdef"

    def __init__(self, remaining_seconds=120):
        self.deadline = time.monotonic() + remaining_seconds

    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)


def event(request_type, response_url, properties, physical_id=None, resource_type="Custom::DatabaseInit"):
    e = {
        "RequestType": request_type, "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/labeling-tool/1b2c3d4e",
        "RequestId": "req-" + random_secrets.token_hex(4), "LogicalResourceId": "DatabaseInitialization",
        "ResourceType": resource_type, "ResourceProperties": dict(properties, ServiceToken="arn:aws:lambda:fn"),
    }
    if physical_id:
        e["PhysicalResourceId"] = physical_id
    return e


# --- PostgreSQL with TLS -------------------------------------------------------------------------

@dataclass
class Postgres:
    port: int
    socket_dir: str
    ca_file: str          # the CA that signed the server certificate (a stand-in for the RDS bundle)
    other_ca_file: str    # a CA that did not
    bin_dir: str
    run_as: str
    log_file: str
    passwords: dict

    def psql(self, sql, database="postgres"):
        out = subprocess.run(
            [os.path.join(self.bin_dir, "psql"), "-h", self.socket_dir, "-p", str(self.port), "-U", "postgres",
             "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, user=self.run_as, check=True, cwd=self.socket_dir)
        return out.stdout.strip()

    def database_exists(self, name):
        return self.psql("SELECT count(*) FROM pg_database WHERE datname = '%s'" % name) == "1"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
            "-days", "2", "-subj", "/CN=Test %s Root CA" % name, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return os.path.join(directory, name + ".pem")


def make_server_cert(directory, ca, name, dns="localhost"):
    """A server certificate for `dns` (and no IP address) signed by `ca`."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", "/CN=" + dns, cwd=directory)
    with open(os.path.join(directory, name + ".ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n" % dns)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
            "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext", cwd=directory)
    return os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")


def postgres_bin_dir():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        pytest.fail("PostgreSQL is not installed (initdb not found under /usr/lib/postgresql): run scripts/test-functions")
    return os.path.dirname(candidates[-1])


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("tls"))
    ca = make_ca(directory, "ca")
    other = make_ca(directory, "other")
    cert, key = make_server_cert(directory, os.path.join(directory, "ca"), "server")
    return {"dir": directory, "ca": ca, "other_ca": other, "cert": cert, "key": key}


@pytest.fixture(scope="session")
def postgres(tls_material):
    bin_dir = postgres_bin_dir()
    run_as = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(run_as)
        except KeyError:
            pytest.fail("running as root needs the 'postgres' user (created by Debian's postgresql package)")
    base = tempfile.mkdtemp(prefix="pg-dbinit-")
    data, sockets = os.path.join(base, "data"), os.path.join(base, "sock")
    os.mkdir(sockets)
    key = os.path.join(base, "server.key")
    cert = os.path.join(base, "server.crt")
    shutil.copy(tls_material["key"], key)
    shutil.copy(tls_material["cert"], cert)
    os.chmod(key, 0o600)
    if os.geteuid() == 0:
        uid = pwd.getpwnam(run_as).pw_uid
        for path in (base, sockets, key, cert):
            os.chown(path, uid, -1)
    port = free_port()
    log_file = os.path.join(base, "postgres.log")

    def run(*args):
        subprocess.run(list(args), check=True, capture_output=True, user=run_as if os.geteuid() == 0 else None,
                       cwd=base)  # a folder the postgres user may enter, wherever the tests run from

    run(os.path.join(bin_dir, "initdb"), "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=reject",
        "-E", "UTF8", "--no-sync")
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"
                "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\npassword_encryption = 'scram-sha-256'\n"
                "fsync = off\nlog_connections = on\n" % (port, sockets, cert, key))
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("local all all trust\n"
                "hostssl all md5user 127.0.0.1/32 md5\n"
                "hostssl all clearuser 127.0.0.1/32 password\n"
                "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                "host all all 127.0.0.1/32 reject\n")
    run(os.path.join(bin_dir, "pg_ctl"), "-D", data, "-l", log_file, "-w", "-t", "30", "start")
    passwords = {user: "Pw-%s-!#$%%&()*+,-.:;<=>?@[]^_{|}~" % random_secrets.token_hex(8)
                 for user in ("master", "md5user", "clearuser")}
    pg = Postgres(port=port, socket_dir=sockets, ca_file=tls_material["ca"], other_ca_file=tls_material["other_ca"],
                  bin_dir=bin_dir, run_as=run_as, log_file=log_file, passwords=passwords)
    pg.psql("CREATE ROLE master LOGIN CREATEDB PASSWORD '%s'" % passwords["master"])
    pg.psql("SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN CREATEDB PASSWORD '%s'" % passwords["md5user"])
    pg.psql("CREATE ROLE clearuser LOGIN CREATEDB PASSWORD '%s'" % passwords["clearuser"])
    assert pg.psql("SELECT rolpassword LIKE 'md5%' FROM pg_authid WHERE rolname = 'md5user'") == "t"
    assert pg.psql("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'master'") == "t"
    yield pg
    subprocess.run([os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"], capture_output=True,
                   user=run_as if os.geteuid() == 0 else None, cwd=base)
    shutil.rmtree(base, ignore_errors=True)


def put_secret(name, value):
    import boto3

    client = boto3.client("secretsmanager")
    return client.create_secret(Name=name + "-" + random_secrets.token_hex(4), SecretString=json.dumps(value))["ARN"]
