"""Creates the labeling tool's database in its Aurora PostgreSQL cluster: the handler of the
custom resource `Custom::DatabaseInit`.

Properties: SecretArn (the cluster's secret: username, password, host, port - the attachment adds
host and port) and DatabaseName. Create and Update connect to the `postgres` database as the
master user and create DatabaseName unless it exists (Data: Created "true"/"false"); Delete keeps
the database (the data lives on in the cluster and in its final snapshot).

The Lambda Python runtime has boto3 but no PostgreSQL driver, so this module speaks the few parts
of the PostgreSQL protocol it needs with the standard library. The server is verified before the
password is used:
- TLS is required (SSLRequest), with the certificate checked against Amazon RDS's CA bundle
  shipped next to this file (global-bundle.pem) - and nothing else - and the host name checked
  against the cluster endpoint from the secret;
- the password is only ever used in a SCRAM-SHA-256 exchange (RFC 5802/7677), which never sends
  it and in which the server proves it knows the password's verifier. A server asking for a
  cleartext or MD5 password is refused before anything is sent. Aurora PostgreSQL 14 and later
  store passwords as SCRAM (`password_encryption` = scram-sha-256 in the default cluster
  parameter group); a cluster whose master password was stored as MD5 makes this initializer fail
  with a message saying so.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import ssl
import struct
import time

import boto3

import cfn_response

CA_BUNDLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "global-bundle.pem")
DATABASE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
# Seconds kept back from the function's timeout to answer CloudFormation.
ANSWER_RESERVE = 15
PROTOCOL_3_0 = 196608
SSL_REQUEST = 80877103

AUTH_OK, AUTH_CLEARTEXT, AUTH_MD5, AUTH_SASL, AUTH_SASL_CONTINUE, AUTH_SASL_FINAL = 0, 3, 5, 10, 11, 12
AUTH_NAMES = {2: "Kerberos V5", AUTH_CLEARTEXT: "a cleartext password", AUTH_MD5: "an MD5 password hash",
              6: "SCM credentials", 7: "GSSAPI", 8: "GSSAPI", 9: "SSPI"}


class RefusedServer(Exception):
    """The server is not verified, or asks for a password exchange that could leak the password."""


class Unreachable(Exception):
    """No TCP connection to the database address (yet)."""


def handler(event, context):
    name = event.get("ResourceProperties", {}).get("DatabaseName", "")
    return cfn_response.handle(event, context, lambda e, secrets: initialize(e, context, secrets), "database-" + name)


def initialize(event, context, secrets):
    """The work of one request: returns (physical id, data)."""
    props = event.get("ResourceProperties", {})
    if event["RequestType"] == "Delete":
        return event.get("PhysicalResourceId"), {}
    name = props.get("DatabaseName", "")
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError("DatabaseName %r is not a plain PostgreSQL name (a letter, then letters, digits or _; at most 63)" % name)
    value = boto3.client("secretsmanager").get_secret_value(SecretId=props["SecretArn"])["SecretString"]
    secrets.append(value)
    secret = json.loads(value)
    secrets.append(secret.get("password", ""))
    for key in ("host", "username", "password"):
        if not secret.get(key):
            raise ValueError("the secret has no %r (the cluster's secret attachment adds host and port)" % key)
    deadline = time.monotonic() + remaining_seconds(context) - ANSWER_RESERVE
    created = ensure_database(secret["host"], int(secret.get("port") or 5432), secret["username"], secret["password"],
                              name, deadline)
    return "database-" + name, {"Created": "true" if created else "false"}


def remaining_seconds(context):
    try:
        return context.get_remaining_time_in_millis() / 1000
    except AttributeError:
        return 120


def ensure_database(host, port, user, password, name, deadline, cafile=None):
    """Creates database `name` unless it exists; True when it created it."""
    conn = connect(host, port, user, password, "postgres", deadline, cafile)
    try:
        if conn.query("SELECT 1 FROM pg_database WHERE datname = '%s'" % name):
            return False
        conn.query('CREATE DATABASE "%s"' % name)
        return True
    finally:
        conn.close()


def connect(host, port, user, password, database, deadline, cafile=None):
    """A verified connection; retries a TCP connection that is refused or times out until
    `deadline` (the cluster may still be starting), never anything after it is established."""
    delay = 2
    while True:
        try:
            return Connection(host, port, user, password, database, deadline, cafile or CA_BUNDLE)
        except Unreachable as error:
            if time.monotonic() + delay >= deadline:
                raise ConnectionError("cannot reach the database at %s:%d: %s" % (host, port, error)) from None
            time.sleep(delay)
            delay = min(delay * 2, 10)


def tls_context(cafile):
    """Trusts only `cafile`; requires a valid certificate chain to it whose name matches the host
    (what libpq's sslmode=verify-full checks). The verify flags are set explicitly so that every
    Python makes the same checks: Python 3.13 adds VERIFY_X509_STRICT by default (RFC 5280 profile
    checks of the CA certificates, which libpq does not make and which these tests cannot run
    against AWS's intermediate certificates); the chain, validity and host name checks stay."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return context


class Connection:
    """A PostgreSQL connection (protocol 3.0) over verified TLS, authenticated with SCRAM-SHA-256;
    simple queries only."""

    def __init__(self, host, port, user, password, database, deadline, cafile):
        timeout = max(1.0, min(30.0, deadline - time.monotonic()))
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
        except OSError as error:  # refused, timed out, name not resolved
            raise Unreachable(error) from None
        try:
            raw.sendall(struct.pack("!ii", 8, SSL_REQUEST))
            answer = raw.recv(1)
            if answer != b"S":
                raise RefusedServer("the server at %s:%d does not offer TLS (answer %r): refusing to log in" % (host, port, answer))
            try:
                self.sock = tls_context(cafile).wrap_socket(raw, server_hostname=host)
            except ssl.SSLCertVerificationError as error:
                raise RefusedServer("the certificate of %s:%d is not verified by the RDS CA bundle: %s"
                                    % (host, port, error.verify_message or error)) from None
        except BaseException:
            raw.close()
            raise
        try:
            params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
            self.send(b"", struct.pack("!i", PROTOCOL_3_0) + params)
            self.authenticate(password)
        except BaseException:
            self.sock.close()
            raise

    def send(self, kind, payload):
        self.sock.sendall(kind + struct.pack("!i", len(payload) + 4) + payload)

    def receive(self):
        kind, size = struct.unpack("!ci", self.read(5))
        if size < 4 or size > 1 << 24:
            raise RuntimeError("malformed message from the server (length %d)" % size)
        return kind, self.read(size - 4)

    def read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            data += chunk
        return data

    def authenticate(self, password):
        """SCRAM-SHA-256 only; the login counts once the server has proved its signature."""
        scram, verified = None, False
        while True:
            kind, body = self.receive()
            if kind == b"E":
                raise RuntimeError("login refused: " + error_text(body))
            if kind != b"R":
                raise RuntimeError("unexpected message %r during authentication" % kind)
            code = struct.unpack("!i", body[:4])[0]
            if code == AUTH_OK:
                if not verified:
                    raise RefusedServer("the server accepted the login without a SCRAM exchange: refusing it")
                return self.wait_ready()
            if code == AUTH_SASL:
                mechanisms = [m.decode(errors="replace") for m in body[4:].split(b"\0") if m]
                if "SCRAM-SHA-256" not in mechanisms:
                    raise RefusedServer("the server offers %s, not SCRAM-SHA-256" % (", ".join(mechanisms) or "no SASL mechanism"))
                scram = Scram(password)
                first = scram.client_first()
                self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
            elif code == AUTH_SASL_CONTINUE and scram:
                self.send(b"p", scram.client_final(body[4:]))
            elif code == AUTH_SASL_FINAL and scram:
                scram.verify_server(body[4:])
                verified = True
            elif code in (AUTH_CLEARTEXT, AUTH_MD5):
                raise RefusedServer(
                    "the server asks for %s; this initializer only logs in with SCRAM-SHA-256, so the password "
                    "never leaves the function (Aurora PostgreSQL 14+ stores passwords as SCRAM: check the cluster "
                    "parameter password_encryption = scram-sha-256 and set the master password again)" % AUTH_NAMES[code])
            else:
                raise RefusedServer("the server asks for authentication method %s (%d); only SCRAM-SHA-256 is used"
                                    % (AUTH_NAMES.get(code, "unknown"), code))

    def wait_ready(self):
        while True:
            kind, body = self.receive()
            if kind == b"E":
                raise RuntimeError(error_text(body))
            if kind == b"Z":  # ReadyForQuery; ParameterStatus, BackendKeyData and notices before it
                return

    def query(self, sql):
        """Runs `sql`; returns its data rows (raw) or raises the server's error."""
        self.send(b"Q", sql.encode() + b"\0")
        rows, error = [], None
        while True:
            kind, body = self.receive()
            if kind == b"D":
                rows.append(body)
            elif kind == b"E":
                error = error_text(body)
            elif kind == b"Z":
                if error:
                    raise RuntimeError(error)
                return rows

    def close(self):
        try:
            self.send(b"X", b"")
        except OSError:
            pass
        self.sock.close()


class Scram:
    """The client side of SCRAM-SHA-256 without channel binding (RFC 5802, RFC 7677). PostgreSQL
    takes the user name from the startup message, so the SCRAM user name is empty."""

    def __init__(self, password, nonce=None):
        self.password = password.encode()
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.first_bare = "n=,r=" + self.nonce
        self.expected = None

    def client_first(self):
        return ("n,," + self.first_bare).encode()

    def client_final(self, server_first):
        text = server_first.decode()
        fields = dict(item.split("=", 1) for item in text.split(",") if "=" in item)
        if not fields.get("r", "").startswith(self.nonce) or len(fields["r"]) <= len(self.nonce):
            raise RefusedServer("the server's SCRAM nonce does not extend ours")
        iterations = int(fields.get("i", "0"))
        if not 4096 <= iterations <= 10_000_000:
            raise RefusedServer("the server's SCRAM iteration count %d is out of range" % iterations)
        salted = hashlib.pbkdf2_hmac("sha256", self.password, base64.b64decode(fields["s"]), iterations)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        final_bare = "c=biws,r=" + fields["r"]
        auth_message = ",".join((self.first_bare, text, final_bare)).encode()
        signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message, "sha256")
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self.expected = base64.b64encode(hmac.digest(server_key, auth_message, "sha256")).decode()
        return (final_bare + ",p=" + proof).encode()

    def verify_server(self, server_final):
        fields = dict(item.split("=", 1) for item in server_final.decode().split(",") if "=" in item)
        if "e" in fields:
            raise RuntimeError("SCRAM error from the server: " + fields["e"])
        if self.expected is None or not hmac.compare_digest(fields.get("v", ""), self.expected):
            raise RefusedServer("the server's SCRAM signature does not match: it does not know the password")


def error_text(body):
    fields = {f[:1]: f[1:].decode(errors="replace") for f in body.split(b"\0") if f}
    return "%s (SQLSTATE %s)" % (fields.get(b"M", "error"), fields.get(b"C", "?"))
