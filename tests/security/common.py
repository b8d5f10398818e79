"""What the crash, conformance and security tests share: the live tests'
harness (tests/live/harness.py), raw HTTP over a socket, and a runner that
counts cases.
"""
import json
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "live"))
sys.path.insert(0, HERE)

import harness  # noqa: E402  (tests/live/harness.py)
from harness import Belayd, connect  # noqa: E402,F401  (re-exported)

__all__ = ["Belayd", "connect", "UNKNOWN_ID", "raw_http", "http_get", "request", "rss_kib",
           "cpu_seconds", "run"]

UNKNOWN_ID = "00000000-0000-4000-8000-00000000abcd"


def raw_http(port, request, timeout=15, read_body=True):
    """Sends `request` (bytes) on a new connection; returns (status, headers, body)."""
    from wsraw import read_http_head
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        deadline = time.monotonic() + timeout
        status, headers, body = read_http_head(s, deadline)
        length = int(headers.get("content-length", "0"))
        while read_body and len(body) < length:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body


def http_get(port, path, headers=None, timeout=15):
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return raw_http(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), timeout)


def request(b, method, path, body=None, headers=None, raw_body=None, timeout=30):
    """A REST call with full control of the headers; returns (status, headers, parsed body)."""
    data = raw_body
    if data is None and body is not None:
        data = json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{b.port}", "Connection: close"]
    hdrs = dict(headers or {})
    if data is not None:
        hdrs.setdefault("Content-Type", "application/json")
        hdrs["Content-Length"] = str(len(data))
    lines += [f"{k}: {v}" for k, v in hdrs.items()]
    req = ("\r\n".join(lines) + "\r\n\r\n").encode() + (data or b"")
    status, h, text = raw_http(b.port, req, timeout, read_body=method != "HEAD")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return status, h, parsed


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time of the process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(tests, argv):
    """The live harness's runner (asyncio tests) for async functions, a
    plain call for the others."""
    import asyncio
    import inspect
    wrapped = {}
    for name, f in tests.items():
        if inspect.iscoroutinefunction(f):
            wrapped[name] = f
        else:
            async def call(binary, f=f):
                await asyncio.to_thread(f, binary)
            wrapped[name] = call
    return harness.run(wrapped, argv)
