extension LabelingToolStack {
    /// The database initializer (`Custom::DatabaseInit`): inline Python 3.13, standard library and
    /// boto3 only. Speaks the PostgreSQL protocol itself (TLS, SCRAM-SHA-256/MD5, simple queries),
    /// because the Lambda runtime has no PostgreSQL driver; see the module docstring.
    public static let databaseInitializerSource = #"""
    """Creates the labeling tool's database in the Aurora PostgreSQL cluster (a CloudFormation
    custom resource, `Custom::DatabaseInit`).

    The Lambda Python runtime has boto3 but no PostgreSQL driver (psycopg is not in it), so this
    handler speaks the PostgreSQL protocol itself with the standard library: TLS (SSLRequest),
    SCRAM-SHA-256 / MD5 / password authentication and simple queries. It reads the master
    credentials from the cluster's secret, connects to the `postgres` database and creates
    `DatabaseName` when it does not exist (Create and Update). Delete keeps the database: the data
    lives on in the cluster and in its final snapshot.
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
    import urllib.request

    import boto3


    def handler(event, context):
        props = event.get("ResourceProperties", {})
        name = props.get("DatabaseName", "")
        status, reason, data = "SUCCESS", "", {}
        try:
            if event["RequestType"] in ("Create", "Update"):
                secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=props["SecretArn"])["SecretString"])
                data["Created"] = ensure_database(secret, name)
        except Exception as error:  # reported to CloudFormation, which rolls back
            status, reason = "FAILED", str(error)
        physical_id = event.get("PhysicalResourceId") if event["RequestType"] == "Delete" else "database-" + name
        body = json.dumps({
            "Status": status, "Reason": (reason or "see log stream " + context.log_stream_name)[:1000],
            "PhysicalResourceId": physical_id, "StackId": event["StackId"], "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"], "Data": data,
        }).encode()
        request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                         headers={"Content-Type": "", "Content-Length": str(len(body))})
        urllib.request.urlopen(request, timeout=30).close()


    def ensure_database(secret, name):
        """Creates database `name` unless it exists; returns "true" when it created it."""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", name):
            raise ValueError("invalid database name %r" % name)
        conn = Connection(secret["host"], int(secret.get("port") or 5432), secret["username"], secret["password"], "postgres")
        try:
            if conn.query("SELECT 1 FROM pg_database WHERE datname = '%s'" % name):
                return "false"
            conn.query('CREATE DATABASE "%s"' % name)
            return "true"
        finally:
            conn.close()


    class Connection:
        """A PostgreSQL connection over TLS (protocol 3.0, simple queries only)."""

        def __init__(self, host, port, user, password, database):
            raw = socket.create_connection((host, port), timeout=30)
            raw.sendall(struct.pack("!ii", 8, 80877103))  # SSLRequest
            if raw.recv(1) != b"S":
                raw.close()
                raise RuntimeError("the server does not accept TLS")
            context = ssl.create_default_context()
            # The runtime has no RDS CA bundle: the connection is encrypted, the server not verified
            # (it is reached by its private address, inside the VPC).
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.sock = context.wrap_socket(raw)
            params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
            self.send(b"", struct.pack("!i", 196608) + params)
            self.authenticate(user, password)

        def send(self, kind, payload):
            self.sock.sendall(kind + struct.pack("!i", len(payload) + 4) + payload)

        def receive(self):
            kind, size = struct.unpack("!ci", self.read(5))
            return kind, self.read(size - 4)

        def read(self, n):
            data = b""
            while len(data) < n:
                chunk = self.sock.recv(n - len(data))
                if not chunk:
                    raise RuntimeError("the server closed the connection")
                data += chunk
            return data

        def authenticate(self, user, password):
            nonce = first = expected = None
            while True:
                kind, body = self.receive()
                if kind == b"E":
                    raise RuntimeError(error_text(body))
                if kind == b"Z":  # ReadyForQuery
                    return
                if kind != b"R":  # ParameterStatus, BackendKeyData, notices
                    continue
                code = struct.unpack("!i", body[:4])[0]
                if code == 3:  # cleartext password (only ever over TLS here)
                    self.send(b"p", password.encode() + b"\0")
                elif code == 5:  # MD5
                    inner = hashlib.md5((password + user).encode()).hexdigest().encode()
                    self.send(b"p", b"md5" + hashlib.md5(inner + body[4:8]).hexdigest().encode() + b"\0")
                elif code == 10:  # SASL: SCRAM-SHA-256 (RFC 5802 / 7677), no channel binding
                    if b"SCRAM-SHA-256\0" not in body[4:]:
                        raise RuntimeError("the server offers no supported SASL mechanism")
                    nonce = base64.b64encode(os.urandom(18)).decode()
                    first = "n=,r=" + nonce
                    message = ("n,," + first).encode()
                    self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(message)) + message)
                elif code == 11:  # SASLContinue: server-first-message
                    server_first = body[4:].decode()
                    fields = dict(item.split("=", 1) for item in server_first.split(","))
                    if not fields["r"].startswith(nonce):
                        raise RuntimeError("SCRAM nonce mismatch")
                    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
                    client_key = hmac.digest(salted, b"Client Key", "sha256")
                    final = "c=biws,r=" + fields["r"]
                    auth = ",".join((first, server_first, final)).encode()
                    signature = hmac.digest(hashlib.sha256(client_key).digest(), auth, "sha256")
                    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
                    expected = "v=" + base64.b64encode(hmac.digest(hmac.digest(salted, b"Server Key", "sha256"), auth, "sha256")).decode()
                    self.send(b"p", (final + ",p=" + proof).encode())
                elif code == 12:  # SASLFinal
                    if body[4:].decode() != expected:
                        raise RuntimeError("the server's SCRAM signature does not match")
                elif code != 0:
                    raise RuntimeError("unsupported authentication method %d" % code)

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
                self.sock.close()
            except OSError:
                pass


    def error_text(body):
        fields = {f[:1]: f[1:].decode(errors="replace") for f in body.split(b"\0") if f}
        return "%s (SQLSTATE %s)" % (fields.get(b"M", "error"), fields.get(b"C", "?"))
    """#
}
