#!/usr/bin/env python3
"""A seeded, deterministic, fault-injecting HTTP proxy for infra's tests and benchmarks.

It sits in front of an AWS emulator (moto_server with signature checks on) and forwards every
request unchanged (the Host header included, so signatures still verify), except those it
chooses to break. The choice is a hash of (seed, operation, n-th call of that operation), so a
run with the same seed and the same sequence of calls meets the same faults whatever the thread
scheduling. Faults (kinds):

  throttle       the protocol's own throttling answer: CloudFormation/STS/IAM query XML
                 `Throttling` (HTTP 400), S3 `SlowDown` (HTTP 503), JSON `ThrottlingException` (400)
  500 502 503 504  a server error (502/504 as a load balancer's HTML page), nothing forwarded
  reset          the request is read, then the connection is reset (RST), nothing forwarded
  closed         the request is forwarded and the server's answer read, then the connection is
                 closed without answering: the server acted, the client cannot know
  slow           the answer is held back `slow_seconds` before it is sent

Scripted faults (`script`): the n-th call of an operation meets a given fault, whatever the rate.

Bursts: after a trigger operation has been forwarded successfully, every call of the listed
operations is throttled for `seconds` (e.g. DescribeStackEvents and DescribeStacks for 30 s after
ExecuteChangeSet, as CloudFormation does to an account whose monitors poll too hard).

No operation is faulted more than `max_consecutive` times in a row, so a client with at least
that many retries always gets through; the tests assert what each fault costs.

Control (never forwarded): GET /__proxy/log (every request: operation, idempotency token,
fault, status, whether an answer was delivered), POST /__proxy/config (JSON, merged),
POST /__proxy/clear (log and counters). Prints `port N` on stdout once listening.

Usage: fault_proxy.py --upstream http://127.0.0.1:5000 [--port 0] [--parent PID] [--config JSON]
"""
import argparse
import hashlib
import http.client
import http.server
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

READ_OPERATION = re.compile(r"^(Describe|Get|List|Head|Validate|Estimate|Detect|Batch(Get|Check))")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "expect", "date", "server"}


class State:
    def __init__(self, upstream, config):
        self.lock = threading.Lock()
        self.upstream = urllib.parse.urlsplit(upstream)
        self.config = {
            "seed": 1, "rate": 0.0,
            "kinds": ["throttle", "500", "502", "503", "504", "reset", "closed", "slow"],
            "max_consecutive": 2, "slow_seconds": 0.5, "bursts": [],
            # operations never faulted (e.g. the test harness's own setup)
            "exempt": [],
            # scripted faults: {operation: [kind or null for its 1st, 2nd, ... call]}, before the random ones
            "script": {},
        }
        self.config.update(config)
        self.clear()

    def clear(self):
        self.calls = {}          # operation -> calls seen
        self.consecutive = {}    # operation -> faults in a row
        self.log = []
        self.active_bursts = []  # (operations, until, name)
        self.bursts_fired = {}   # burst index -> times fired
        self.seq = 0

    def decide(self, op):
        """(seq, fault kind or None, burst name or None) for the next call of `op`."""
        with self.lock:
            self.seq += 1
            seq = self.seq
            n = self.calls.get(op, 0) + 1
            self.calls[op] = n
            now = time.monotonic()
            self.active_bursts = [b for b in self.active_bursts if b[1] > now]
            for ops, until, name in self.active_bursts:
                if op in ops:
                    return seq, "throttle", name
            cfg = self.config
            scripted = cfg.get("script", {}).get(op, [])
            if n <= len(scripted) and scripted[n - 1]:
                return seq, scripted[n - 1], None
            if op in cfg["exempt"] or cfg["rate"] <= 0 or not cfg["kinds"]:
                self.consecutive[op] = 0
                return seq, None, None
            digest = hashlib.sha256(f"{cfg['seed']}:{op}:{n}".encode()).digest()
            u = int.from_bytes(digest[:8], "big") / 2.0 ** 64
            if u >= cfg["rate"] or self.consecutive.get(op, 0) >= cfg["max_consecutive"]:
                self.consecutive[op] = 0
                return seq, None, None
            self.consecutive[op] = self.consecutive.get(op, 0) + 1
            kinds = cfg["kinds"]
            return seq, kinds[int.from_bytes(digest[8:16], "big") % len(kinds)], None

    def forwarded(self, op, status):
        """A call reached the server: start the bursts it triggers."""
        if not 200 <= status < 300:
            return
        with self.lock:
            for i, b in enumerate(self.config["bursts"]):
                if b.get("trigger") != op:
                    continue
                fired = self.bursts_fired.get(i, 0)
                if fired >= b.get("times", 1):
                    continue
                self.bursts_fired[i] = fired + 1
                self.active_bursts.append((set(b.get("operations", [])), time.monotonic() + float(b.get("seconds", 30)),
                                           b.get("name", f"burst-{i}")))

    def record(self, entry):
        with self.lock:
            self.log.append(entry)


def describe(method, path, query, headers, body):
    """(protocol, operation, is_mutation, idempotency token, target) of a request."""
    target = headers.get("x-amz-target")
    ctype = headers.get("content-type", "")
    if target:
        op = target.rsplit(".", 1)[-1]
        token = None
        try:
            doc = json.loads(body or b"{}")
            token = doc.get("clientToken") or doc.get("ClientToken") or doc.get("ClientRequestToken")
            name = doc.get("repositoryName") or doc.get("RepositoryName")
        except Exception:
            name = None
        return "json", op, not READ_OPERATION.match(op), token, name
    if method == "POST" and "x-www-form-urlencoded" in ctype:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        op = form.get("Action", ["?"])[0]
        token = (form.get("ClientRequestToken") or form.get("ClientToken") or [None])[0]
        parts = [form[k][0] for k in ("StackName", "ChangeSetName") if k in form]
        return "query", op, not READ_OPERATION.match(op), token, "/".join(parts) or None
    # S3 (rest-xml, path style on a custom endpoint)
    segments = path.lstrip("/").split("/", 1)
    bucket = segments[0]
    key = segments[1] if len(segments) > 1 and segments[1] else None
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    sub = sorted(k for k in q if k not in ("list-type", "prefix", "delimiter", "max-keys", "continuation-token",
                                           "versionId", "uploadId", "partNumber"))
    suffix = "".join(s[:1].upper() + s[1:] for s in sub)
    if not bucket:
        op = "ListBuckets"
    elif method == "HEAD":
        op = "HeadObject" if key else "HeadBucket"
    elif method == "GET":
        op = "GetObject" if key else ("ListObjectsV2" if "list-type" in q else "GetBucket" + suffix if suffix else "ListObjects")
    elif method == "PUT":
        op = ("CopyObject" if "x-amz-copy-source" in headers else "PutObject" + suffix) if key else (
            "PutBucket" + suffix if suffix else "CreateBucket")
    elif method == "POST":
        op = "DeleteObjects" if "delete" in q else "Post" + suffix
    elif method == "DELETE":
        op = ("DeleteObject" if key else ("DeleteBucket" + suffix))
    else:
        op = method
    target = bucket + ("/" + key if key else "")
    token = headers.get("content-md5") if op == "PutObject" else None
    return "s3", op, method not in ("GET", "HEAD"), token, target


def fault_answer(protocol, kind, op, seq):
    """(status, headers, body) of an injected error answer."""
    rid = f"fault-{seq:06d}"
    if kind in ("502", "504"):
        status = int(kind)
        text = {502: "Bad Gateway", 504: "Gateway Timeout"}[status]
        return status, {"Content-Type": "text/html"}, f"<html><body><h1>{status} {text}</h1></body></html>".encode()
    if protocol == "s3":
        status, code, msg = {"throttle": (503, "SlowDown", "Please reduce your request rate."),
                             "500": (500, "InternalError", "We encountered an internal error. Please try again."),
                             "503": (503, "ServiceUnavailable", "Service is unable to handle request.")}[kind]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{msg}</Message>'
                f"<RequestId>{rid}</RequestId></Error>").encode()
        return status, {"Content-Type": "application/xml", "x-amz-request-id": rid}, body
    if protocol == "json":
        status, code, msg = {"throttle": (400, "ThrottlingException", "Rate exceeded"),
                             "500": (500, "InternalFailure", "An internal error occurred"),
                             "503": (503, "ServiceUnavailableException", "Service unavailable")}[kind]
        body = json.dumps({"__type": code, "message": msg}).encode()
        return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": rid}, body
    status, kind_, code, msg = {"throttle": (400, "Sender", "Throttling", "Rate exceeded"),
                                "500": (500, "Receiver", "InternalFailure", "An internal error occurred"),
                                "503": (503, "Receiver", "ServiceUnavailable", "Service unavailable")}[kind]
    body = (f'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>{kind_}</Type>'
            f"<Code>{code}</Code><Message>{msg}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>").encode()
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": rid}, body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state = None  # set by main

    def log_message(self, *args):
        pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, headers, body, head=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k.lower() == "content-length" for k, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)
        self.wfile.flush()

    def control(self, path, body):
        st = self.state
        if path == "/__proxy/log":
            with st.lock:
                out = json.dumps({"log": st.log, "calls": st.calls}).encode()
        elif path == "/__proxy/config":
            with st.lock:
                st.config.update(json.loads(body or b"{}"))
                out = json.dumps(st.config).encode()
        elif path == "/__proxy/clear":
            with st.lock:
                st.clear()
            out = b"{}"
        else:
            self.answer(404, [("Content-Type", "text/plain")], b"unknown control path")
            return
        self.answer(200, [("Content-Type", "application/json")], out)

    def handle_any(self):
        st = self.state
        body = self.read_body()
        split = urllib.parse.urlsplit(self.path)
        if split.path.startswith("/__proxy/"):
            return self.control(split.path, body)
        headers = {k.lower(): v for k, v in self.headers.items()}
        protocol, op, mutation, token, target = describe(self.command, split.path, split.query, headers, body)
        seq, fault, burst = st.decide(op)
        entry = {"seq": seq, "t": time.time(), "method": self.command, "protocol": protocol, "operation": op,
                 "mutation": mutation, "token": token, "target": target, "fault": fault, "burst": burst,
                 "forwarded": False, "status": None, "delivered": False}
        head = self.command == "HEAD"
        try:
            if fault == "reset":
                st.record(entry)
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            if fault in ("throttle", "500", "502", "503", "504"):
                status, hdrs, payload = fault_answer(protocol, fault, op, seq)
                entry["status"] = status
                st.record(entry)
                self.answer(status, list(hdrs.items()) + [("Connection", "keep-alive")], payload, head=head)
                entry["delivered"] = True
                return
            status, hdrs, payload = self.forward(body)
            entry["forwarded"] = True
            entry["status"] = status
            st.forwarded(op, status)
            st.record(entry)
            if fault == "closed":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "slow":
                time.sleep(float(st.config.get("slow_seconds", 0.5)))
            self.answer(status, hdrs, payload, head=head)
            entry["delivered"] = True
        except OSError:
            self.close_connection = True

    def forward(self, body):
        up = self.state.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=300)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() in HOP_BY_HOP or k.lower() == "content-length":
                    continue
                conn.putheader(k, v)
            if body or self.command in ("POST", "PUT"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            payload = resp.read()
            hdrs = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            if self.command != "HEAD":
                hdrs = [(k, v) for k, v in hdrs if k.lower() != "content-length"]
                hdrs.append(("Content-Length", str(len(payload))))
            return resp.status, hdrs, payload
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--config", default="{}", help="JSON, see the module doc")
    args = ap.parse_args()
    Handler.state = State(args.upstream, json.loads(args.config))
    server = Server(("127.0.0.1", args.port), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    if args.parent:
        def watch():
            while True:
                time.sleep(0.5)
                try:
                    os.kill(args.parent, 0)
                except OSError:
                    os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
