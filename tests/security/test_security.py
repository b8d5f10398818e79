"""Security of the real belayd: isolation between users, tokens (refused,
never logged), the Origin allowlist, slow and flooding clients, huge inputs
refused before they are buffered.

usage: /usr/bin/python3 test_security.py BELAYD [TEST …]
"""
import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (UNKNOWN_ID, Belayd, cpu_seconds, http_get, raw_http, request,  # noqa: E402
                    rss_kib, run)
from wsraw import CONT, TEXT, Closed, WebSocket, encode_frame  # noqa: E402


def auth(token):
    return {"Authorization": f"Token {token}"}


def open_socket(b, path, headers=None):
    """A raw WebSocket; returns (ws, first text message or None, close code
    or None). A refusal before the upgrade gives (ws, None, None) with
    ws.refusal set."""
    ws = WebSocket(b.port, path, headers)
    if not ws.handshake():
        return ws, None, None
    try:
        op, data = ws.recv_message()
        return ws, json.loads(data), None
    except Closed as e:
        return ws, None, e.code


def socket_refusal(b, path, headers=None):
    """Opens a socket that must be refused; returns (messages before the
    close, close code)."""
    ws = WebSocket(b.port, path, headers)
    with ws:
        assert ws.handshake(), f"refused before the upgrade: {ws.refusal and ws.refusal.status}"
        messages = []
        while True:
            try:
                op, data = ws.recv_message()
                messages.append(json.loads(data))
            except Closed as e:
                assert e.close_frame, f"no close frame: {e}"
                return messages, e.code


def live_path(sid, token=None, **query):
    q = dict(query)
    if token is not None:
        q = {"token": token, **q}
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    return f"/ws/session-live/{sid}/" + (f"?{qs}" if qs else "")


def replay_path(sid, token=None, **query):
    return live_path(sid, token, **query).replace("/ws/session-live/", "/ws/session/")


# --- isolation ------------------------------------------------------------------

def isolation(binary):
    """Another user's session or recording is a 404 on every verb, exactly as
    an id that never existed; 4404 on both sockets; nothing of it leaks and
    nothing of it changes."""
    with Belayd(binary) as b:
        alice, bob = b.make_user("alice"), b.make_user("bob")
        B = auth(bob)

        def rest(method, path, token, body=None, **kw):
            return request(b, method, path, body, headers={**auth(token), **kw.pop("headers", {})},
                           **kw)

        st, _, route = rest("POST", "/api/routes/", alice,
                            {"name": "r", "grade": "6a",
                             "holds": [{"id": "1", "type": "start", "x": 0.1, "y": 0.2}]})
        assert st == 201, route
        st, _, sa = rest("POST", "/api/sessions/", alice,
                         {"route": route["id"], "climb_data": {"holds": [], "status": "started",
                                                               "secret": "alice-climb"}})
        assert st == 201, sa
        sa = sa["id"]
        assert rest("PATCH", f"/api/sessions/{sa}/", alice, {"status": "completed"})[0] == 200
        st, _, ra = rest("POST", "/api/session-recordings/", alice,
                         {"name": "alice-secret", "session": sa})
        assert st == 201, ra
        ra = ra["id"]
        st, _, sb = rest("POST", "/api/sessions/", bob, {})
        sb = sb["id"]
        st, _, rb = rest("POST", "/api/session-recordings/", bob, {"name": "bob's", "session": sb})
        rb = rb["id"]

        def snapshot():
            return (rest("GET", f"/api/sessions/{sa}/", alice)[2],
                    rest("GET", f"/api/sessions/{sa}/events/?limit=1000", alice)[2],
                    rest("GET", f"/api/session-recordings/{ra}/", alice)[2])

        before = snapshot()
        assert before[0]["last_seq"] == 2 and len(before[1]) == 2, before

        # Every verb, on alice's ids and on ids that never existed: bob gets
        # the same answer for both (404), so he cannot even tell hers exist.
        good_session = {"status": "completed", "end_time": "2025-01-01T00:00:00.000Z"}
        session_calls = [
            ("GET", "/api/sessions/{id}/", None, {}),
            ("HEAD", "/api/sessions/{id}/", None, {}),
            ("GET", "/api/sessions/{id}/?at_seq=1", None, {}),
            ("GET", "/api/sessions/{id}/?at_seq=2", None, {}),
            ("GET", "/api/sessions/{id}/?at_seq=0", None, {}),
            ("GET", "/api/sessions/{id}/?at_seq=nope", None, {}),
            ("PUT", "/api/sessions/{id}/", good_session, {}),
            ("PATCH", "/api/sessions/{id}/", good_session, {}),
            ("PATCH", "/api/sessions/{id}/", {"status": "flying"}, {}),
            ("PATCH", "/api/sessions/{id}/", None, {"raw_body": b"{bad json"}),
            ("PATCH", "/api/sessions/{id}/", None,
             {"raw_body": b"status=completed",
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
            ("DELETE", "/api/sessions/{id}/", None, {}),
            ("POST", "/api/sessions/{id}/", {}, {}),
            ("OPTIONS", "/api/sessions/{id}/", None, {}),
            ("GET", "/api/sessions/{id}/events/", None, {}),
            ("GET", "/api/sessions/{id}/events/?from_seq=1&limit=5", None, {}),
            ("GET", "/api/sessions/{id}/events/?from_seq=0", None, {}),
            ("GET", "/api/sessions/{id}/events/?limit=x", None, {}),
            ("HEAD", "/api/sessions/{id}/events/", None, {}),
            ("POST", "/api/sessions/{id}/events/", {}, {}),
            ("DELETE", "/api/sessions/{id}/events/", None, {}),
        ]
        recording_calls = [
            ("GET", "/api/session-recordings/{id}/", None, {}),
            ("HEAD", "/api/session-recordings/{id}/", None, {}),
            ("PUT", "/api/session-recordings/{id}/", {"name": "mine now", "session": sb}, {}),
            ("PATCH", "/api/session-recordings/{id}/", {"name": "mine now"}, {}),
            ("PATCH", "/api/session-recordings/{id}/", {"status": "flying"}, {}),
            ("DELETE", "/api/session-recordings/{id}/", None, {}),
            ("POST", "/api/session-recordings/{id}/", {}, {}),
        ]
        checked = 0
        for calls, target in ((session_calls, sa), (recording_calls, ra)):
            for method, template, body, kw in calls:
                for victim in (target, target.upper()):
                    fresh = str(uuid.uuid4())
                    got = rest(method, template.format(id=victim), bob, body, **dict(kw))
                    ref = rest(method, template.format(id=fresh), bob, body, **dict(kw))
                    what = f"bob {method} {template.format(id='<alice>')}"
                    assert got[0] == 404, f"{what}: {got[0]} {got[2]}"
                    assert got[0] == ref[0] and got[2] == ref[2], f"{what}: {got} vs {ref}"
                    assert set(got[1]) == set(ref[1]), f"{what}: headers {got[1]} vs {ref[1]}"
                    if method != "HEAD":
                        assert got[2] == {"detail": "Not found."}, f"{what}: {got[2]}"
                    checked += 1

        # Pointing his own recording at her session: the same 400 as for a
        # session that does not exist.
        for method, path in (("POST", "/api/session-recordings/"),
                             ("PATCH", f"/api/session-recordings/{rb}/"),
                             ("PUT", f"/api/session-recordings/{rb}/")):
            fresh = str(uuid.uuid4())
            got = rest(method, path, bob, {"name": "n", "session": sa})
            ref = rest(method, path, bob, {"name": "n", "session": fresh})
            assert got[0] == 400 and ref[0] == 400, (method, path, got, ref)
            same = json.dumps(got[2]).replace(sa, "ID") == json.dumps(ref[2]).replace(fresh, "ID")
            assert same, (got[2], ref[2])
            checked += 1

        # The owner is the caller, whatever the body says.
        st, _, made = rest("POST", "/api/sessions/", bob, {"user": "alice"})
        assert st == 201 and made["user"] == "bob", made
        for method in ("PATCH", "PUT"):
            st, _, changed = rest(method, f"/api/sessions/{made['id']}/", bob,
                                  {"user": "alice", "status": "started"})
            assert st in (200, 400) and rest("GET", f"/api/sessions/{made['id']}/", bob)[2][
                "user"] == "bob", (method, changed)
        st, _, rec = rest("POST", "/api/session-recordings/", bob,
                          {"name": "n", "session": sb, "user": "alice"})
        assert st == 201 and rec["user"] == "bob", rec
        st, _, rec2 = rest("PATCH", f"/api/session-recordings/{rec['id']}/", bob, {"user": "alice"})
        assert rest("GET", f"/api/session-recordings/{rec['id']}/", bob)[2]["user"] == "bob", rec2
        assert rest("DELETE", f"/api/sessions/{made['id']}/", bob)[0] == 204
        assert rest("DELETE", f"/api/session-recordings/{rec['id']}/", bob)[0] in (204, 404)
        st, _, none = rest("GET", "/api/sessions/", alice)
        assert [s["id"] for s in none] == [sa], none
        checked += 5

        # Listings show only his own.
        st, h, mine = rest("GET", "/api/sessions/", bob)
        assert [s["id"] for s in mine] == [sb], mine
        for query in ("?status=completed", f"?route={route['id']}", "?limit=1&offset=0",
                      "?limit=10&offset=1"):
            st, h, page = rest("GET", "/api/sessions/" + query, bob)
            assert st == 200 and all(s["id"] == sb for s in page), (query, page)
            if "x-total-count" in h:
                assert int(h["x-total-count"]) <= 1, (query, h)
        st, h, recs = rest("GET", "/api/session-recordings/", bob)
        assert [r["id"] for r in recs] == [rb], recs
        st, h, recs = rest("GET", "/api/session-recordings/?limit=5", bob)
        assert h.get("x-total-count") in (None, "1"), h
        checked += 7

        # Both sockets: the same error as an unknown session, then 4404, and
        # nothing else (no session_state, no events, no replay_info).
        for path in (live_path(sa, bob), live_path(sa, bob, after_seq=0),
                     replay_path(sa, bob), replay_path(sa, bob, speed=0, from_seq=1),
                     replay_path(sa, bob, follow=1)):
            fresh = str(uuid.uuid4())
            msgs, code = socket_refusal(b, path)
            ref_msgs, ref_code = socket_refusal(b, path.replace(sa, fresh))
            assert code == 4404 and ref_code == 4404, (path, code, ref_code)
            assert json.dumps(msgs).replace(sa, "ID") == json.dumps(ref_msgs).replace(fresh, "ID")
            assert [m["type"] for m in msgs] == ["error"] and \
                msgs[0]["code"] == "session_not_found", msgs
            checked += 1
        for path in (f"/ws/session-live/{sa}/", f"/ws/session/{sa}/"):  # token in the header
            msgs, code = socket_refusal(b, path, B)
            assert code == 4404 and [m["type"] for m in msgs] == ["error"], (path, code, msgs)
            checked += 1
        # A recording's id is not a session (for anyone).
        for path in (live_path(ra, alice), replay_path(ra, alice)):
            msgs, code = socket_refusal(b, path)
            assert code == 4404, (path, code)
        assert rest("GET", f"/api/sessions/{ra}/events/", alice)[0] == 404

        # Her session, events and recording are exactly as they were.
        assert snapshot() == before, "bob's attempts changed alice's data"
        # The owner and the admin still see them.
        assert rest("GET", f"/api/sessions/{sa}/", b.admin)[0] == 200
        assert rest("GET", f"/api/sessions/{sa}/?at_seq=1", alice)[0] == 200
        ws, first, code = open_socket(b, live_path(sa, alice))
        with ws:
            assert first and first["type"] == "session_state", (first, code)

        # Deleted: a 404 everywhere for her too, 4404 on the sockets.
        assert rest("DELETE", f"/api/sessions/{sa}/", alice)[0] == 204
        for path in (f"/api/sessions/{sa}/", f"/api/sessions/{sa}/?at_seq=1",
                     f"/api/sessions/{sa}/events/", f"/api/session-recordings/{ra}/"):
            for token in (alice, bob, b.admin):
                st, _, body = rest("GET", path, token)
                assert st == 404 and body == {"detail": "Not found."}, (path, st, body)
        for path in (live_path(sa, alice), replay_path(sa, alice)):
            assert socket_refusal(b, path)[1] == 4404
        print(f"  {checked} cross-user requests refused like unknown ids")


# --- tokens -----------------------------------------------------------------------

def tokens(binary):
    """Missing, malformed and unknown tokens: 401 on REST, 4401 on the
    sockets, with no data; and no token ever reaches the output (access log
    on)."""
    with Belayd(binary, "--access-log") as b:
        alice = b.make_user("alice")
        sid = b.make_session(alice)
        unknown = "0123456789abcdef" * 4
        secrets = [b.admin, alice, unknown, "s3cr3t-garbage-token"]

        bad_headers = {
            "missing": None,
            "empty": "",
            "scheme only": "Token",
            "scheme and space": "Token ",
            "bearer only": "Bearer",
            "basic": "Basic YWxpY2U6czNjcjN0LWdhcmJhZ2UtdG9rZW4=",
            "basic with the token": f"Basic {alice}",
            "garbage": "s3cr3t-garbage-token",
            "unknown token": f"Token {unknown}",
            "unknown bearer": f"Bearer {unknown}",
            "token with a suffix": f"Token {alice}x",
            "token cut short": f"Token {alice[:-1]}",
            "token and more": f"Token {alice} {alice}",
            "unicode": "Token \u00e9\u00e9\u00e9",
        }
        paths = ["/api/sessions/", f"/api/sessions/{sid}/", f"/api/sessions/{sid}/events/",
                 f"/api/sessions/{sid}/?at_seq=1", "/api/session-recordings/", "/api/routes/",
                 "/api/users/me/"]
        checked = 0
        for name, value in bad_headers.items():
            headers = {} if value is None else {"Authorization": value}
            for path in paths:
                st, h, body = request(b, "GET", path, headers=headers)
                assert st == 401, f"{name} on {path}: {st} {body}"
                assert set(body) == {"detail"}, body
                assert h.get("www-authenticate", "").startswith("Token"), h
                checked += 1
            for method, path, body in (("POST", "/api/sessions/", {}),
                                       ("PATCH", f"/api/sessions/{sid}/", {"status": "completed"}),
                                       ("DELETE", f"/api/sessions/{sid}/", None),
                                       ("POST", "/api/users/", {"username": "eve"})):
                st, _, resp = request(b, method, path, body, headers=headers)
                assert st == 401, f"{name} {method} {path}: {st} {resp}"
                checked += 1
        # The token in the query is for sockets only: REST ignores it.
        for path in ("/api/sessions/", f"/api/sessions/{sid}/"):
            st, _, body = request(b, "GET", f"{path}?token={alice}")
            assert st == 401, (path, st, body)
            checked += 1
        # Nothing was written by all that.
        st, _, sessions = request(b, "GET", "/api/sessions/", headers=auth(b.admin))
        assert [s["id"] for s in sessions] == [sid], sessions
        assert request(b, "GET", f"/api/sessions/{sid}/", headers=auth(alice))[2]["last_seq"] == 1
        # The good forms work.
        for value in (f"Token {alice}", f"Bearer {alice}"):
            st, _, me = request(b, "GET", "/api/users/me/", headers={"Authorization": value})
            assert st == 200 and me["username"] == "alice", (value, st, me)

        # Sockets: 4401, and nothing before the close.
        bad_socket = [(q, None) for q in (None, "", unknown, "s3cr3t-garbage-token",
                                          alice + "x", "%20" + alice)]
        bad_socket += [(None, {"Authorization": v}) for v in bad_headers.values() if v]
        for token, headers in bad_socket:
            for path in (live_path(sid, token), replay_path(sid, token),
                         live_path(sid, token, after_seq=0)):
                msgs, code = socket_refusal(b, path, headers)
                assert code == 4401, (path, headers, code)
                assert msgs == [], f"{path} {headers}: data before the 4401: {msgs}"
                checked += 1
        for path, headers in ((live_path(sid, alice), None),
                              (live_path(sid), {"Authorization": f"Token {alice}"}),
                              (replay_path(sid, alice, paused=1), None)):
            ws, first, code = open_socket(b, path, headers)
            with ws:
                assert first and first["type"] in ("session_state", "replay_info"), (first, code)

        # Tokens in URLs and headers, answered with every kind of status.
        for token in secrets:
            for path in ("/api/sessions/", f"/api/sessions/{sid}/", f"/api/sessions/{sid}/events/",
                         "/healthz", "/metrics", "/nowhere", f"/api/sessions/{UNKNOWN_ID}/",
                         "/api/users/me/"):
                for headers in ({"Authorization": f"Token {token}"}, {}):
                    request(b, "GET", f"{path}?token={token}&x=1", headers=headers)
                    request(b, "DELETE", f"{path}?a=b&token={token}", headers=headers)
            request(b, "POST", f"/api/sessions/?token={token}", raw_body=b"{bad",
                    headers={"Authorization": f"Bearer {token}"})
            for path in (live_path(sid, token), replay_path(sid, token),
                         f"/ws/nowhere/?token={token}"):
                ws = WebSocket(b.port, path)
                with ws:
                    if ws.handshake():
                        try:
                            ws.expect_close(timeout=5)
                        except (Closed, TimeoutError, AssertionError):
                            pass
            # Over the header limit, and a malformed request line.
            raw_http(b.port, f"GET /api/sessions/?token={token} HTTP/1.1\r\nHost: x\r\n"
                             f"Authorization: Token {token}\r\nX-Pad: {'p' * 20000}\r\n\r\n"
                             .encode())
            try:
                raw_http(b.port, f"GET /api/?token={token} HTTP/9.9 junk\r\n\r\n".encode(),
                         timeout=5)
            except (Closed, OSError):
                pass
        st, _, metrics = http_get(b.port, "/metrics")
        # Stored hashed: the log holds no token (read while belayd runs).
        mode = os.stat(os.path.join(b.dir, "admin.token")).st_mode & 0o777
        assert mode == 0o600, oct(mode)
        cli = os.environ.get("BELAY_CLI") or os.path.join(os.path.dirname(binary), "belay")
        export = subprocess.run([cli, "inspect", "export", "--data-dir", b.dir],
                                capture_output=True, text=True, timeout=60, check=True).stdout
        assert hashlib.sha256(alice.encode()).hexdigest() in export  # what is kept instead
        for token in secrets:
            assert token not in export, "a token is stored in the log in clear"
        b.stop()
        output = "".join(b.output)
        assert "GET /api/sessions/" in output, "the access log is empty:\n" + output[-2000:]
        for token in secrets:
            assert token not in output, f"a token is in belayd's output:\n{output[-3000:]}"
            assert token not in metrics.decode(), "a token is in /metrics"
        lines = sum(1 for line in output.splitlines() if '"GET ' in line or '"DELETE ' in line)
        print(f"  {checked} refusals; {lines} access log lines hold no token")


def origins(binary):
    """--allowed-origins: a browser's Origin must be on the list (403 before
    the upgrade otherwise); clients that send none are served."""
    with Belayd(binary, "--allowed-origins", "https://gym.example,https://wall.example") as b:
        sid = b.make_session()
        b.rest("PATCH", f"/api/sessions/{sid}/", {"status": "completed"})
        for origin in ("https://gym.example", "https://wall.example", None):
            for path in (live_path(sid, b.admin), replay_path(sid, b.admin, paused=1)):
                ws, first, code = open_socket(b, path, {"Origin": origin} if origin else None)
                with ws:
                    assert first and first["type"] in ("session_state", "replay_info"), \
                        (origin, path, ws.refusal and ws.refusal.status, code)
        refused = 0
        for origin in ("https://evil.example", "null", "https://gym.example.evil.example",
                       "https://evil.example/https://gym.example", "http://gym.example",
                       "https://gym.example:8443", "https://gym.example/", "https://gym.exampl",
                       "https://gym.example, https://evil.example", ""):
            for path in (live_path(sid, b.admin), replay_path(sid, b.admin),
                         live_path(sid, "not-a-token"), live_path(UNKNOWN_ID, b.admin)):
                ws = WebSocket(b.port, path, {"Origin": origin})
                with ws:
                    assert not ws.handshake(), f"Origin {origin!r} was upgraded on {path}"
                    assert ws.refusal.status == 403, (origin, ws.refusal.status)
                    assert json.loads(ws.refusal.body) == {"detail": "Origin not allowed."}
                    assert b"session" not in ws.refusal.body
                    ws.expect_eof(10)
                    refused += 1
        assert b.rest("GET", f"/api/sessions/{sid}/")[1]["last_seq"] == 2
        print(f"  {refused} upgrades from foreign Origins refused with 403")


# --- slow clients -----------------------------------------------------------------

class Dribbler:
    """Connections that each send a request's head one byte every `interval`
    seconds, forever; records when the server closes each."""

    def __init__(self, port, heads, interval=1.0, prefix=b""):
        self.port, self.interval = port, interval
        self.socks = []
        for head in heads:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if prefix:
                s.sendall(prefix)
            self.socks.append([s, head, 0, time.monotonic(), None, b""])
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        for entry in self.socks:
            entry[3] = time.monotonic()
        self.thread.start()
        return self

    def loop(self):
        while not self.stop.is_set():
            for entry in self.socks:
                s, head, sent, opened, closed, got = entry
                if closed is not None:
                    continue
                try:
                    s.setblocking(False)
                    try:
                        data = s.recv(4096)
                        if not data:
                            entry[4] = time.monotonic() - opened
                            continue
                        entry[5] += data
                    except BlockingIOError:
                        pass
                    s.setblocking(True)
                    s.send(head[sent % len(head):sent % len(head) + 1])
                    entry[2] += 1
                except OSError:
                    entry[4] = time.monotonic() - opened
            self.stop.wait(self.interval)

    def closed_times(self):
        return [e[4] for e in self.socks]

    def responses(self):
        return [e[5] for e in self.socks]

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for e in self.socks:
            e[0].close()


def timed_requests(b, seconds, token):
    """Normal clients meanwhile: new connections, GET /healthz and a REST
    read, every 100 ms. Returns the latencies (raises on a failure)."""
    latencies = []
    end = time.monotonic() + seconds
    sid = b.make_session()
    while time.monotonic() < end:
        for path, headers in (("/healthz", None), (f"/api/sessions/{sid}/", auth(token))):
            t = time.monotonic()
            st, _, body = http_get(b.port, path, headers, timeout=15)
            assert st == 200, (path, st, body)
            latencies.append(time.monotonic() - t)
        time.sleep(0.1)
    return latencies


def slowloris(binary):
    """Connections that send a header byte a second are cut by the header
    timeout (2 s) while normal requests keep being served at once."""
    with Belayd(binary, "--header-timeout-ms", "2000") as b:
        sid = b.make_session()
        heads = [b"GET /api/sessions/ HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200] * 40
        heads += [f"GET /ws/session-live/{sid}/?token={b.admin} HTTP/1.1\r\nHost: x\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nX: ".encode() + b"b" * 200] * 10
        heads += [b"POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"X-Slow: " + b"c" * 200] * 10
        slow = Dribbler(b.port, heads).start()
        try:
            latencies = timed_requests(b, 7, b.admin)
            deadline = time.monotonic() + 10
            while None in slow.closed_times() and time.monotonic() < deadline:
                time.sleep(0.2)
            closed = slow.closed_times()
            still_open = sum(1 for c in closed if c is None)
            assert still_open == 0, f"{still_open} slow connections are still open after " \
                                    f"{time.monotonic() - slow.socks[0][3]:.1f} s"
            assert min(closed) >= 1.0, f"a slow one was cut before the timeout: {min(closed)}"
            assert max(closed) <= 9.0, f"a slow connection lasted {max(closed):.1f} s"
            served = [r for r in slow.responses() if r.startswith(b"HTTP/1.1 2")]
            assert not served, served[:1]
        finally:
            slow.close()
        worst = max(latencies)
        assert worst < 3.0, f"a normal request took {worst:.2f} s during the attack"
        assert b.rest("GET", "/healthz")[0] == 200
        print(f"  {len(heads)} slow connections cut after {min(closed):.1f}-{max(closed):.1f} s; "
              f"{len(latencies)} normal requests served, slowest {worst * 1000:.0f} ms")


def slowloris_keepalive(binary):
    """The header timeout also bounds the next request on a kept-alive
    connection: a client may stay idle up to the idle timeout, but once it
    starts a request its head must arrive within the header timeout."""
    with Belayd(binary, "--header-timeout-ms", "2000", "--idle-timeout-ms", "30000") as b:
        # An idle keep-alive connection is not cut by the header timeout …
        s = socket.create_connection(("127.0.0.1", b.port), timeout=10)
        first = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(first)
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        time.sleep(3.5)
        s.sendall(first)
        assert s.recv(4096).startswith(b"HTTP/1.1 200"), "an idle keep-alive connection was cut"
        s.close()
        # … but one that dribbles its second request is.
        prefix = first
        slow = Dribbler(b.port, [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200] * 10,
                        interval=0.5, prefix=prefix)
        for e in slow.socks:  # read the first answer
            e[0].settimeout(10)
            assert e[0].recv(4096).startswith(b"HTTP/1.1 200")
        slow.start()
        try:
            deadline = time.monotonic() + 10
            while None in slow.closed_times() and time.monotonic() < deadline:
                time.sleep(0.2)
            closed = slow.closed_times()
            still_open = sum(1 for c in closed if c is None)
            assert still_open == 0, (
                f"{still_open} of 10 kept-alive connections still dribbling their second request's "
                f"head 10 s after it began (--header-timeout-ms 2000): only --idle-timeout-ms "
                f"(30 s) bounds it")
        finally:
            slow.close()
        print(f"  dribbled second requests cut after {min(closed):.1f}-{max(closed):.1f} s")


# --- floods -----------------------------------------------------------------------

def open_connections(b):
    st, _, body = http_get(b.port, "/metrics")
    for line in body.decode().splitlines():
        if line.startswith("belay_open_connections "):
            return int(line.split()[1])
    raise AssertionError("no belay_open_connections in /metrics")


def keep_alive_get(s, path):
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, "the keep-alive connection was closed"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += s.recv(65536)
    return int(head.split()[1])


def is_closed(s):
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def floods(binary):
    """--max-connections-per-user and --max-connections hold a flood; the
    server stays responsive and frees every slot afterwards."""
    cap, per_user = 64, 10
    with Belayd(binary, "--max-connections", str(cap), "--max-connections-per-user",
                str(per_user), "--header-timeout-ms", "3000") as b:
        mallory, alice = b.make_user("mallory"), b.make_user("alice")
        ms, as_ = b.make_session(mallory), b.make_session(alice)

        # One user's sockets: `per_user` served, the rest 4429.
        held, refused = [], 0
        for i in range(3 * per_user):
            path = live_path(ms, mallory) if i % 2 else replay_path(ms, mallory, paused=1)
            ws, first, code = open_socket(b, path)
            if first:
                held.append(ws)
            else:
                assert code == 4429, code
                ws.close()
                refused += 1
        assert len(held) == per_user and refused == 2 * per_user, (len(held), refused)
        # Others are served meanwhile.
        ws, first, code = open_socket(b, live_path(as_, alice))
        assert first and first["type"] == "session_state", code
        ws.close()
        assert b.rest("GET", "/healthz")[0] == 200
        # Unauthenticated sockets do not take her slots, and are refused.
        for _ in range(5):
            assert socket_refusal(b, live_path(ms, "nope"))[1] == 4401
        for ws in held:
            ws.close()
        # Every slot comes back.
        deadline = time.monotonic() + 10
        while True:
            ws, first, code = open_socket(b, live_path(ms, mallory))
            ws.close()
            if first or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert first, "mallory's slots were not freed"
        time.sleep(0.5)
        again = []
        for _ in range(per_user):
            ws, first, code = open_socket(b, live_path(ms, mallory))
            assert first, f"slot {len(again) + 1} of {per_user} not freed: {code}"
            again.append(ws)
        ws, first, code = open_socket(b, live_path(ms, mallory))
        assert code == 4429, code
        ws.close()
        for ws in again:
            ws.close()

        # The whole server: a flood of idle connections, 3 × the cap.
        time.sleep(0.5)
        monitor = socket.create_connection(("127.0.0.1", b.port), timeout=10)
        assert keep_alive_get(monitor, "/healthz") == 200
        flood = []
        for _ in range(3 * cap):
            try:
                flood.append(socket.create_connection(("127.0.0.1", b.port), timeout=10))
            except OSError:
                pass
        time.sleep(1.0)
        cpu0, t0 = cpu_seconds(b.proc.pid), time.monotonic()
        latencies = []
        for _ in range(10):  # the connection opened before the flood is served
            t = time.monotonic()
            assert keep_alive_get(monitor, "/healthz") == 200
            latencies.append(time.monotonic() - t)
            time.sleep(0.1)
        held = sum(1 for s in flood if not is_closed(s))
        cpu = (cpu_seconds(b.proc.pid) - cpu0) / (time.monotonic() - t0)
        assert held <= cap - 1, f"{held} flood connections held over the cap of {cap}"
        assert held >= cap // 2, f"only {held} held: the cap refused too much"
        assert max(latencies) < 2.0, latencies
        assert cpu < 0.5, f"belayd uses {cpu:.2f} CPU while a flood sits idle"
        # The header timeout clears them; then anyone is served.
        deadline = time.monotonic() + 10
        while any(not is_closed(s) for s in flood) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(is_closed(s) for s in flood), "idle flood connections outlived the timeout"
        for s in flood:
            s.close()
        t = time.monotonic()
        assert http_get(b.port, "/healthz")[0] == 200
        assert time.monotonic() - t < 2.0
        monitor.close()
        deadline = time.monotonic() + 10
        while (n := open_connections(b)) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert n <= 1, f"{n} connections still counted open after the flood"
        ws, first, code = open_socket(b, live_path(as_, alice))
        assert first, code
        ws.close()
        print(f"  per user: {per_user} held, {2 * per_user} refused (4429); "
              f"whole server: {held} of {3 * cap} held (cap {cap}), CPU {cpu:.2f}, "
              f"monitor p100 {max(latencies) * 1000:.0f} ms")


def floods_fd_limit(binary):
    """A flood larger than the process's file descriptor limit: the cap must
    hold it below that limit (no accept loop spinning on EMFILE, descriptors
    left for the log), and the server recovers."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        b = Belayd(binary, "--header-timeout-ms", "4000")  # --max-connections: the default
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    with b:
        with open(f"/proc/{b.proc.pid}/limits") as f:
            limit = int(next(line for line in f if line.startswith("Max open files")).split()[3])
        ws, first, code = open_socket(b, live_path(b.make_session(), b.admin))
        assert first
        flood = []
        try:
            for _ in range(min(limit + 200, 4000)):
                try:
                    flood.append(socket.create_connection(("127.0.0.1", b.port), timeout=2))
                except OSError:
                    break
            time.sleep(1.0)
            fds = len(os.listdir(f"/proc/{b.proc.pid}/fd"))
            cpu0, t0 = cpu_seconds(b.proc.pid), time.monotonic()
            time.sleep(2.0)
            cpu = (cpu_seconds(b.proc.pid) - cpu0) / (time.monotonic() - t0)
            problems = []
            if fds >= limit - 8:
                problems.append(f"{fds} of {limit} file descriptors in use (--max-connections "
                                f"10000 is above the limit, so the cap never holds)")
            if cpu > 0.3:
                problems.append(f"{cpu:.2f} CPU while the flood sits idle (accept retried at "
                                f"once on EMFILE)")
            # A socket opened before the flood keeps working.
            ws.send_text(json.dumps({"type": "session_update", "status": "started", "id": "x"}))
            got = set()
            while "ack" not in got:
                op, data = ws.recv_message(timeout=10)
                got.add(json.loads(data)["type"])
        finally:
            for s in flood:
                s.close()
            ws.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if http_get(b.port, "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert b.rest("POST", "/api/sessions/", {})[0] == 201
        assert not problems, "; ".join(problems)
        print(f"  flood of {len(flood)} against a limit of {limit} descriptors: {fds} in use, "
              f"CPU {cpu:.2f}")


def metrics_cardinality(binary):
    """A client cannot grow the server's memory with the names it makes up:
    /metrics keeps a bounded set of series whatever methods are sent."""
    with Belayd(binary) as b:
        before = rss_kib(b.proc.pid)
        s = socket.create_connection(("127.0.0.1", b.port), timeout=10)
        n = 3000
        for i in range(n):
            method = f"X{i:05d}" + "M" * 2000  # any token is a valid HTTP method
            path = ("/healthz", "/api/sessions/", "/nowhere")[i % 3]
            s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                assert chunk, "closed"
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")][0])
            while len(rest) < length:
                rest += s.recv(65536)
        s.close()
        st, _, body = http_get(b.port, "/metrics")
        series = [line for line in body.decode().splitlines()
                  if line.startswith("belay_http_requests_total")]
        growth = rss_kib(b.proc.pid) - before
        assert len(series) < 100, (
            f"{n} requests with made-up methods (no token needed) made {len(series)} series in "
            f"/metrics ({len(body)} bytes; RSS +{growth} KiB); e.g. {series[0][:120]}…")
        print(f"  {len(series)} series after {n} made-up methods; RSS +{growth} KiB")


# --- huge inputs ------------------------------------------------------------------

def read_response(s, timeout=10):
    """A response head from `s`, or None if the connection closed first."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return None
            data += chunk
    except OSError:  # reset, timed out, or closed by the sender's side
        return None
    return int(data.split()[1])


def stream_until_refused(port, head, chunk_fn, limit_bytes, wait_after=20, before_close=None):
    """Sends `head`, then chunks until the server answers or closes (or
    `limit_bytes` went); returns (status or None, bytes of body sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    result = {}

    def reader():
        result["status"] = read_response(s, timeout=30)

    t = threading.Thread(target=reader, daemon=True)
    s.sendall(head)
    t.start()
    sent = 0
    try:
        while sent < limit_bytes and t.is_alive():
            data = chunk_fn()
            s.sendall(data)
            sent += len(data)
    except OSError:
        pass
    t.join(wait_after)
    if before_close:
        before_close()
    s.close()
    t.join(5)
    return result.get("status"), sent


def huge_inputs(binary):
    """Bodies and messages over the limits are refused as soon as their size
    is known, without reading them: 413 before the body, 431 for a huge
    head, 1009 from a frame header; belayd's memory does not grow by them."""
    limit = 65536
    with Belayd(binary, "--max-body-bytes", str(limit), "--max-message-bytes", str(limit)) as b:
        sid = b.make_session()
        hdr = f"Authorization: Token {b.admin}\r\nContent-Type: application/json\r\n"
        b.rest("GET", "/healthz")
        rss_before = rss_kib(b.proc.pid)
        refused = 0

        # Declared sizes: 413 with nothing of the body sent.
        for length in (10_000_000_000, 2 ** 62, limit + 1):
            for method, path in (("POST", "/api/sessions/"), ("PATCH", f"/api/sessions/{sid}/"),
                                 ("POST", "/api/nowhere/"), ("POST", "/healthz")):
                head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\n{hdr}"
                        f"Content-Length: {length}\r\n\r\n").encode()
                with socket.create_connection(("127.0.0.1", b.port), timeout=10) as s:
                    s.sendall(head)
                    t = time.monotonic()
                    status = read_response(s)
                    assert status == 413, (method, path, length, status)
                    assert time.monotonic() - t < 5
                refused += 1
        # Several at once, each declaring 10 GB.
        socks = [socket.create_connection(("127.0.0.1", b.port), timeout=10) for _ in range(20)]
        for s in socks:
            s.sendall(f"POST /api/sessions/ HTTP/1.1\r\nHost: x\r\n{hdr}"
                      f"Content-Length: 10000000000\r\n\r\n".encode())
        assert [read_response(s) for s in socks] == [413] * 20
        for s in socks:
            s.close()
        # At the limit is fine (not a 413).
        body = json.dumps({"climb_data": {"holds": [], "pad": ""}})
        body = body.replace('"pad": ""', '"pad": "' + "p" * (limit - len(body)) + '"')
        assert len(body) == limit
        st, _, resp = request(b, "PATCH", f"/api/sessions/{sid}/", raw_body=body.encode(),
                              headers=auth(b.admin))
        assert st != 413, st

        # A chunked body that keeps growing: refused once past the limit.
        chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
        status, sent = stream_until_refused(
            b.port, f"POST /api/sessions/ HTTP/1.1\r\nHost: x\r\n{hdr}"
                    f"Transfer-Encoding: chunked\r\n\r\n".encode(), lambda: chunk, 64 << 20)
        assert status == 413 or sent < (64 << 20), (status, sent)
        assert sent < 16 << 20, f"the server kept reading a chunked body: {sent} bytes taken"
        assert status in (413, None), status
        chunked = (status, sent)

        # A huge head: 431.
        status, sent = stream_until_refused(
            b.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
            lambda: b"X-Pad: " + b"p" * 8000 + b"\r\n", 64 << 20)
        assert status in (431, None), (status, sent)
        assert sent < 16 << 20, f"the server kept reading a huge head: {sent} bytes taken"

        # WebSocket: a frame header declaring a huge message gets 1009 before
        # any payload is sent; fragments growing past the limit too.
        for declared in (10_000_000_000, limit + 1, 2 ** 40):
            ws = WebSocket(b.port, live_path(sid, b.admin))
            with ws:
                assert ws.handshake()
                ws.recv_message()
                ws.send_raw(encode_frame(TEXT, b"", length=declared))
                code, _ = ws.expect_close(timeout=10)
                assert code == 1009, (declared, code)
            refused += 1
        ws = WebSocket(b.port, live_path(sid, b.admin))
        with ws:
            assert ws.handshake()
            ws.recv_message()
            sent = 0
            try:
                ws.send(TEXT, b" " * 16384, fin=False)
                while sent < (64 << 20):
                    ws.send(CONT, b" " * 16384, fin=False)
                    sent += 16384
            except OSError:
                pass
            assert sent < 16 << 20, f"the server kept reading a growing message: {sent} bytes"
            fragments_sent = sent
            try:
                code, _ = ws.expect_close(timeout=10)
                assert code == 1009, code
            except Closed:
                pass  # the close frame may be lost to the reset of our unread bytes

        time.sleep(0.5)
        growth = rss_kib(b.proc.pid) - rss_before
        bound = 48 << 10  # KiB
        assert growth < bound, f"RSS grew by {growth} KiB while refusing inputs"
        assert b.rest("GET", f"/api/sessions/{sid}/")[1]["last_seq"] <= 2
        assert b.rest("GET", "/healthz")[0] == 200
        print(f"  {refused + 20} declared sizes (up to 2^62 bytes) refused before their payload; "
              f"a chunked body cut after {chunked[1] >> 10} KiB sent ({chunked[0]}), a growing "
              f"message after {fragments_sent >> 10} KiB; RSS {rss_before} → "
              f"{rss_before + growth} KiB")


def huge_chunked_framing(binary):
    """A chunked body's framing is bounded too: a chunk-size line, a chunk
    extension or a trailer that never ends is not buffered for as long as the
    client sends it (what is taken is printed; memory is what is checked)."""
    limit = 65536
    with Belayd(binary, "--max-body-bytes", str(limit)) as b:
        start = (f"POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token {b.admin}\r\n"
                 f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
        cases = {
            "a chunk extension without end": (start + b"2;ext=", b"e" * 65536),
            "a chunk-size line without end": (start + b"2", b"0" * 65536),
            "a trailer field without end": (start + b"2\r\n{}\r\n0\r\nX-Trailer: ", b"t" * 65536),
            "trailer fields without end": (start + b"2\r\n{}\r\n0\r\n",
                                           b"X-Trailer: tttttttttttttttttttttttttttt\r\n" * 2000),
        }
        stream = 64 << 20
        failures = []
        for name, (head, chunk) in cases.items():
            b.rest("GET", "/healthz")
            before = rss_kib(b.proc.pid)
            peak = []

            def measure():
                peak.append(rss_kib(b.proc.pid))

            status, sent = stream_until_refused(b.port, head, lambda: chunk, stream, wait_after=2,
                                                before_close=measure)
            growth = peak[0] - before
            line = (f"{name}: {sent >> 20} MiB taken, then {status or 'no answer'}; "
                    f"RSS +{growth >> 10} MiB")
            print("  " + line)
            if growth >= 16 << 10:
                failures.append(line)
        assert b.rest("GET", "/healthz")[0] == 200
        assert not failures, "buffered: " + "; ".join(failures)


# --- seqs and offsets at the edges --------------------------------------------------

MAX_U64 = 2 ** 64 - 1


def session_with_events(b, n):
    sid = b.make_session()
    ws = WebSocket(b.port, live_path(sid, b.admin))
    with ws:
        assert ws.handshake()
        ws.recv_message()
        batch = b"".join(encode_frame(TEXT, json.dumps(
            {"type": "climb_update", "climb": {"holds": [], "n": i}})) for i in range(n))
        ws.send_raw(batch)
        seen = 0
        while seen < n:
            op, data = ws.recv_message(timeout=60)
            seen += json.loads(data)["type"] == "climb_updated"
    return sid


def replay_answers(b, path, then=None):
    """Opens a replay socket; returns the first message (or the close code),
    after sending `then` (a control) if given."""
    ws = WebSocket(b.port, path)
    with ws:
        assert ws.handshake(), ws.refusal and ws.refusal.status
        try:
            op, data = ws.recv_message(timeout=15)
            first = json.loads(data)
            if then is not None:
                ws.send_text(json.dumps(then))
                op, data = ws.recv_message(timeout=15)
                return json.loads(data)
            return first
        except Closed as e:
            return str(e)


def alive(b):
    try:
        b.proc.wait(0.5)
    except Exception:  # noqa: BLE001 - still running
        pass
    return b.proc.poll() is None


def replay_from_seq_past_the_end(b):
    sid = session_with_events(b, 3)
    for from_seq in (1_000_000, MAX_U64):
        got = replay_answers(b, replay_path(sid, b.admin, from_seq=from_seq, paused=1))
        assert alive(b), f"belayd died ({b.proc.poll()}) on ?from_seq={from_seq}: {got}"
        assert isinstance(got, dict) and got["type"] == "replay_info" or "1008" in str(got), got


def replay_follow_seek_past_the_end(b):
    sid = session_with_events(b, 3)
    for seq in (1_000_000, MAX_U64):
        got = replay_answers(b, replay_path(sid, b.admin, follow=1, paused=1),
                             then={"type": "seek", "seq": seq})
        assert alive(b), f"belayd died ({b.proc.poll()}) on a seek to {seq} (?follow=1): {got}"
        assert isinstance(got, dict), got


def live_after_seq_max(b):
    sid = session_with_events(b, 2000)
    socks = []
    try:
        for _ in range(2):
            ws, first, code = open_socket(b, live_path(sid, b.admin, after_seq=MAX_U64))
            socks.append(ws)
            assert first or code == 1008, code
        time.sleep(0.5)
        cpu0, t0 = cpu_seconds(b.proc.pid), time.monotonic()
        time.sleep(3)
        cpu = (cpu_seconds(b.proc.pid) - cpu0) / (time.monotonic() - t0)
        assert cpu < 0.3, (f"2 live sockets with ?after_seq={MAX_U64} keep belayd busy at "
                           f"{cpu:.2f} CPU (after_seq + 1 wraps to 0: the log is re-read in a loop "
                           f"until the lag timeout)")
    finally:
        for ws in socks:
            ws.close()


def rest_seqs_and_offsets_at_the_edge(b):
    sid = session_with_events(b, 3)
    h = auth(b.admin)
    for path in (f"/api/sessions/{sid}/events/?from_seq={MAX_U64}&limit=1000",
                 f"/api/sessions/{sid}/?at_seq={MAX_U64}"):
        st, _, body = request(b, "GET", path, headers=h)
        assert st == 200, (path, st, body)
    for _ in range(3):
        b.make_session()
    for offset in (MAX_U64, MAX_U64 - 1, MAX_U64 - 999):
        path = f"/api/sessions/?offset={offset}&limit=1000"
        st, hdrs, body = request(b, "GET", path, headers=h)
        assert st == 200 and body == [], (path, st, body)
        link = hdrs.get("link", "")
        assert 'rel="next"' not in link, f"GET {path}: Link {link} (offset + limit wrapped)"


def hostile_seqs(binary):
    """Seqs and offsets near 2^64 from a client: answered, never a crash, a
    loop or a wrap. Each case on its own belayd, so that one crash does not
    hide the others."""
    failures = []
    cases = [replay_from_seq_past_the_end, replay_follow_seek_past_the_end, live_after_seq_max,
             rest_seqs_and_offsets_at_the_edge]
    for case in cases:
        b = Belayd(binary)
        try:
            case(b)
            assert b.rest("GET", "/healthz")[0] == 200
            b.stop()
            print(f"  ok   {case.__name__}")
        except Exception as e:  # noqa: BLE001 - every case reports
            died = b.proc.poll()
            try:
                b.stop()
            except RuntimeError:
                pass
            why = f"belayd exited with {died}; " if died is not None else ""
            print(f"  FAIL {case.__name__}: {why}{e!r}"[:600])
            failures.append(case.__name__)
    assert not failures, f"{len(failures)} of {len(cases)} cases failed: {failures}"


TESTS = {f.__name__: f for f in [
    hostile_seqs,
    isolation, tokens, origins, slowloris, slowloris_keepalive, floods, floods_fd_limit,
    metrics_cardinality, huge_inputs, huge_chunked_framing]}

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
