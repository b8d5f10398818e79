"""Test harness for the live socket: a real belayd on a free port, REST over
urllib, WebSockets with Debian's python3-websockets (run with /usr/bin/python3).
"""
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import websockets


class Belayd:
    """belayd on 127.0.0.1 and a free port, with a fresh data directory."""

    def __init__(self, binary, *args, env=None, data_dir=None):
        """env: extra environment; data_dir: use (and keep) this directory."""
        self.keep_dir = data_dir is not None
        self.dir = data_dir or tempfile.mkdtemp(prefix="belay-live-")
        self.proc = subprocess.Popen(
            [binary, "--data-dir", self.dir, "--listen", "127.0.0.1:0", "--stats-interval", "0",
             *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})})
        self.output = []
        ready = threading.Event()
        self.port = None

        def read():
            for line in self.proc.stdout:
                self.output.append(line)
                m = re.search(r"belayd listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30) or self.port is None:
            self.stop()
            raise RuntimeError("belayd did not start:\n" + "".join(self.output))
        with open(os.path.join(self.dir, "admin.token")) as f:
            self.admin = f.read().strip()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        """SIGTERM; raises unless belayd exits 0 (a sanitizer report fails it)."""
        code = self.proc.poll()
        if code is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = "timeout"
        if not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        if code != 0:
            time.sleep(0.2)
            raise RuntimeError(f"belayd exited with {code}:\n" + "".join(self.output[-400:]))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.stop()
        else:  # already failing: stop, but report the first error
            try:
                self.stop()
            except RuntimeError:
                pass

    # --- REST ---------------------------------------------------------------

    def rest(self, method, path, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("Authorization", f"Token {token or self.admin}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, json.loads(text) if text else None

    def make_user(self, name):
        status, body = self.rest("POST", "/api/users/", {"username": name})
        assert status == 201, body
        return body["token"]

    def make_session(self, token=None):
        status, body = self.rest("POST", "/api/sessions/", {}, token)
        assert status == 201, body
        return body["id"]

    def url(self, session, token=None, **query):
        q = {"token": token or self.admin, **query}
        qs = "&".join(f"{k}={v}" for k, v in q.items() if v is not None)
        return f"ws://127.0.0.1:{self.port}/ws/session-live/{session}/?{qs}"

    def replay_url(self, session, token=None, **query):
        q = {"token": token or self.admin, **query}
        qs = "&".join(f"{k}={v}" for k, v in q.items() if v is not None)
        return f"ws://127.0.0.1:{self.port}/ws/session/{session}/?{qs}"


def connect(url, **options):
    """A client that reads everything the server sends into its queue (no
    backpressure) unless options say otherwise: a publisher that never calls
    recv() must not look like a slow subscriber."""
    options.setdefault("max_queue", None)
    return websockets.connect(url, **options)


def pose(i):
    return {"type": "pose_update", "id": f"p{i}",
            "pose": [{"x": 0.5, "y": 0.001 * (i % 1000), "z": 0.1, "visibility": 0.9}] * 33}


async def receive_events(ws, count, timeout=60):
    """Reads messages until `count` *_updated events came; returns them (and the others)."""
    events, others = [], []
    deadline = time.monotonic() + timeout
    while len(events) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"only {len(events)} of {count} events arrived")
        msg = json.loads(await asyncio.wait_for(ws.recv(), left))
        (events if msg["type"].endswith("_updated") or msg["type"] == "session_created" else others).append(msg)
    return events, others


def run(tests, argv):
    """Runs the named test (argv[2]) or all; prints the closing line."""
    binary = argv[1]
    names = argv[2:] or list(tests)
    passed = failed = 0
    for name in names:
        try:
            asyncio.run(tests[name](binary))
            print(f"PASS {name}")
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            import traceback
            traceback.print_exc()
            print(f"FAIL {name}: {e!r}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
