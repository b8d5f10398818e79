"""RFC 6455 conformance of belayd's sockets, with a raw-frame client of our
own (wsraw.py: no WebSocket library), against the real binary.

Each case opens its own connection, does something a library would not,
and asserts what RFC 6455 requires (section numbers in the case names'
comments). The live socket gets every case, the replay socket a few.

usage: /usr/bin/python3 test_conformance.py BELAYD [GROUP …]   (rfc6455: every group but
close_undefined)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import UNKNOWN_ID, Belayd, run  # noqa: E402
from wsraw import (BINARY, CLOSE, CONT, PING, PONG, TEXT, Closed, WebSocket,  # noqa: E402
                   encode_frame)

MAX_MESSAGE = 65536


class Ctx:
    """A running belayd with a session for the live cases and one with a
    few events for the replay cases."""

    def __init__(self, b):
        self.b = b
        self.sid = b.make_session()
        self.replay_sid = b.make_session()
        for status in ("started", "completed"):
            code, _ = b.rest("PATCH", f"/api/sessions/{self.replay_sid}/", {"status": status})
            assert code == 200
        self.n = 0

    def live(self):
        ws = WebSocket(self.b.port, f"/ws/session-live/{self.sid}/?token={self.b.admin}")
        assert ws.handshake(), ws.refusal and ws.refusal.status
        op, data = ws.recv_message()
        assert op == TEXT and json.loads(data)["type"] == "session_state", data
        return ws

    def replay(self):
        ws = WebSocket(self.b.port, f"/ws/session/{self.replay_sid}/?token={self.b.admin}&paused=1")
        assert ws.handshake(), ws.refusal and ws.refusal.status
        op, data = ws.recv_message()
        assert op == TEXT and json.loads(data)["type"] == "replay_info", data
        return ws

    def climb(self, text="x"):
        """A valid climb_update with a fresh id, as bytes."""
        self.n += 1
        cid = f"c{self.n}"
        msg = {"type": "climb_update", "id": cid,
               "climb": {"holds": [], "status": "started", "note": text}}
        return cid, json.dumps(msg, ensure_ascii=False).encode()

    def last_seq(self):
        return self.b.rest("GET", f"/api/sessions/{self.sid}/")[1]["last_seq"]


def expect_applied(ws, cid, note=None):
    """The server took the message whole: its broadcast and its ack come back."""
    got = {}
    while "ack" not in got or "climb_updated" not in got:
        op, data = ws.recv_message()
        assert op == TEXT, op
        m = json.loads(data)
        assert m["type"] != "error", m
        if m["type"] == "ack":
            assert m["id"] == cid, m
        got[m["type"]] = m
    if note is not None:
        assert got["climb_updated"]["climb"]["note"] == note, got["climb_updated"]


def expect_code(ws, *codes):
    code, reason = ws.expect_close()
    assert code in codes, f"closed with {code} ({reason!r}), expected {codes}"
    # 7.4.1: 1005, 1006 and 1015 are never put on the wire; 5.5.1: the
    # reason is UTF-8.
    assert code not in (1005, 1006, 1015), code
    reason.decode("utf-8")
    return code


def expect_pong(ws, payload, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        f = ws.recv_frame(max(0.01, deadline - time.monotonic()))
        if f.opcode == PONG:
            assert f.payload == payload, (f.payload, payload)
            assert f.fin
            return
        assert f.opcode != CLOSE, f"closed with {f.close_code} instead of a pong"


def unchanged(ctx, before):
    after = ctx.last_seq()
    assert after == before, f"the refused input appended events ({before} → {after})"


# --- the cases --------------------------------------------------------------
# Each is (group, name, fn(ctx)). Groups become ctest tests.

CASES = []


def case(group, name=None):
    def add(f):
        CASES.append((group, name or f.__name__, f))
        return f
    return add


# 5.1: a client frame must be masked; the server fails the connection (1002).
@case("framing")
def unmasked_text_frame(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        ws.send_raw(encode_frame(TEXT, ctx.climb()[1], mask=False))
        expect_code(ws, 1002)
    unchanged(ctx, before)


@case("framing")
def unmasked_ping(ctx):
    with ctx.live() as ws:
        ws.send_raw(encode_frame(PING, b"x", mask=False))
        expect_code(ws, 1002)


# 5.2: RSV1-3 must be 0 unless an extension was negotiated (none is).
def rsv_case(bit):
    def f(ctx):
        before = ctx.last_seq()
        with ctx.live() as ws:
            ws.send(TEXT, ctx.climb()[1], rsv=bit)
            expect_code(ws, 1002)
        unchanged(ctx, before)
    return f


for _bit, _name in ((4, "rsv1"), (2, "rsv2"), (1, "rsv3"), (7, "rsv_all")):
    case("framing", f"reserved_bit_{_name}_set")(rsv_case(_bit))


@case("framing")
def reserved_bit_on_ping(ctx):
    with ctx.live() as ws:
        ws.send(PING, b"p", rsv=4)
        expect_code(ws, 1002)


# 5.2: reserved opcodes 3-7 (data) and B-F (control) fail the connection.
def opcode_case(op):
    def f(ctx):
        with ctx.live() as ws:
            ws.send(op, b"hello")
            expect_code(ws, 1002)
    return f


for _op in (0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF):
    case("framing", f"reserved_opcode_{_op:#x}")(opcode_case(_op))


# 5.2: "the minimal number of bytes MUST be used to encode the length".
@case("framing")
def non_minimal_16_bit_length(ctx):
    with ctx.live() as ws:
        ws.send(TEXT, b"{}", length_form=16)
        expect_code(ws, 1002)


@case("framing")
def non_minimal_64_bit_length(ctx):
    with ctx.live() as ws:
        ws.send(TEXT, b"x" * 200, length_form=64)
        expect_code(ws, 1002)


# 5.2: the most significant bit of a 64-bit length must be 0.
@case("framing")
def length_with_top_bit_set(ctx):
    with ctx.live() as ws:
        ws.send_raw(encode_frame(TEXT, b"", length=(1 << 63) | 5, length_form=64))
        expect_code(ws, 1002, 1009)


@case("framing")
def text_message_in_one_frame(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("one")
        ws.send(TEXT, data)
        expect_applied(ws, cid, "one")
        ws.send_close(1000)
        expect_code(ws, 1000)


@case("framing")
def empty_text_message_keeps_the_connection(ctx):
    with ctx.live() as ws:
        ws.send(TEXT, b"")
        op, data = ws.recv_message()
        assert json.loads(data)["type"] == "error", data
        cid, data = ctx.climb()
        ws.send(TEXT, data)
        expect_applied(ws, cid)


# 5.4: fragmentation.
@case("fragmentation")
def text_in_three_fragments(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        cid, data = ctx.climb("fragmented")
        a, b_, c = data[:10], data[10:25], data[25:]
        ws.send(TEXT, a, fin=False)
        ws.send(CONT, b_, fin=False)
        ws.send(CONT, c, fin=True)
        expect_applied(ws, cid, "fragmented")
    assert ctx.last_seq() == before + 1, "the fragments were not one message"


@case("fragmentation")
def text_in_many_one_byte_fragments(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("bytes")
        ws.send(TEXT, data[:1], fin=False)
        for i in range(1, len(data) - 1):
            ws.send(CONT, data[i:i + 1], fin=False)
        ws.send(CONT, data[-1:], fin=True)
        expect_applied(ws, cid, "bytes")


@case("fragmentation")
def empty_fragments(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("empties")
        ws.send(TEXT, b"", fin=False)
        ws.send(CONT, data, fin=False)
        ws.send(CONT, b"", fin=False)
        ws.send(CONT, b"", fin=True)
        expect_applied(ws, cid, "empties")


@case("fragmentation")
def continuation_without_start(ctx):
    with ctx.live() as ws:
        ws.send(CONT, ctx.climb()[1], fin=True)
        expect_code(ws, 1002)


@case("fragmentation")
def continuation_after_a_finished_message(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb()
        ws.send(TEXT, data)
        expect_applied(ws, cid)
        ws.send(CONT, b"more", fin=False)
        expect_code(ws, 1002)


@case("fragmentation")
def text_frame_inside_a_fragmented_message(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        data = ctx.climb()[1]
        ws.send(TEXT, data[:10], fin=False)
        ws.send(TEXT, data, fin=True)
        expect_code(ws, 1002)
    unchanged(ctx, before)


@case("fragmentation")
def binary_frame_inside_a_fragmented_text_message(ctx):
    with ctx.live() as ws:
        data = ctx.climb()[1]
        ws.send(TEXT, data[:10], fin=False)
        ws.send(BINARY, b"\x00\x01", fin=True)
        expect_code(ws, 1002)


# 5.4/5.5: control frames may be injected in the middle of a fragmented message.
@case("fragmentation")
def ping_between_fragments(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("pinged")
        ws.send(TEXT, data[:10], fin=False)
        ws.send(PING, b"in the middle")
        ws.send(CONT, data[10:20], fin=False)
        expect_pong(ws, b"in the middle")
        ws.send(PING, b"again")
        ws.send(CONT, data[20:], fin=True)
        expect_pong(ws, b"again")
        expect_applied(ws, cid, "pinged")


@case("fragmentation")
def pong_between_fragments(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("ponged")
        ws.send(TEXT, data[:10], fin=False)
        ws.send(PONG, b"unsolicited")
        ws.send(CONT, data[10:], fin=True)
        expect_applied(ws, cid, "ponged")


@case("fragmentation")
def close_between_fragments(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        data = ctx.climb()[1]
        ws.send(TEXT, data[:10], fin=False)
        ws.send_close(1000, "bye")
        expect_code(ws, 1000)
    unchanged(ctx, before)


# 5.5: control frames: payload ≤ 125 bytes, never fragmented.
@case("control")
def ping_gets_pong_with_same_payload(ctx):
    with ctx.live() as ws:
        for payload in (b"", b"hello", bytes(range(125)), "é✓".encode()):
            ws.send(PING, payload)
            expect_pong(ws, payload)
        cid, data = ctx.climb()
        ws.send(TEXT, data)
        expect_applied(ws, cid)


@case("control")
def unsolicited_pong_is_ignored(ctx):
    with ctx.live() as ws:
        ws.send(PONG, b"nobody asked")
        cid, data = ctx.climb()
        ws.send(TEXT, data)
        expect_applied(ws, cid)


@case("control")
def ping_of_126_bytes(ctx):
    with ctx.live() as ws:
        ws.send(PING, b"x" * 126)
        expect_code(ws, 1002)


@case("control")
def close_of_126_bytes(ctx):
    with ctx.live() as ws:
        ws.send(CLOSE, b"\x03\xe8" + b"x" * 124)
        expect_code(ws, 1002)


@case("control")
def fragmented_ping(ctx):
    with ctx.live() as ws:
        ws.send(PING, b"half", fin=False)
        ws.send(CONT, b"rest", fin=True)
        expect_code(ws, 1002)


@case("control")
def fragmented_close(ctx):
    with ctx.live() as ws:
        ws.send(CLOSE, b"\x03\xe8", fin=False)
        expect_code(ws, 1002)


@case("control")
def ten_pings_ten_pongs_in_order(ctx):
    with ctx.live() as ws:
        data = b"".join(encode_frame(PING, f"ping {i}") for i in range(10))
        ws.send_raw(data)
        for i in range(10):
            expect_pong(ws, f"ping {i}".encode())


# 8.1: a text message must be valid UTF-8; otherwise close 1007.
def bad_utf8_case(payload):
    def f(ctx):
        before = ctx.last_seq()
        with ctx.live() as ws:
            ws.send(TEXT, payload)
            expect_code(ws, 1007)
        unchanged(ctx, before)
    return f


BAD_UTF8 = {
    "lone_continuation_byte": b'{"type":"x\x80"}',
    "ff_byte": b'{"type":"\xff"}',
    "overlong_slash": b'{"type":"\xc0\xaf"}',
    "overlong_nul": b'{"type":"\xe0\x80\x80"}',
    "utf16_surrogate": b'{"type":"\xed\xa0\x80"}',
    "above_u10ffff": b'{"type":"\xf4\x90\x80\x80"}',
    "truncated_at_the_end": b'{"type":"climb_update"}\xe2\x82',
}
for _name, _payload in BAD_UTF8.items():
    case("utf8", f"invalid_utf8_{_name}")(bad_utf8_case(_payload))


@case("utf8")
def valid_utf8_split_across_fragments(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb("grüße ✓ 𝄞")
        cut = data.index("𝄞".encode()) + 2  # inside the 4-byte sequence
        cut2 = data.index("✓".encode()) + 1
        ws.send(TEXT, data[:cut2], fin=False)
        ws.send(CONT, data[cut2:cut], fin=False)
        ws.send(CONT, data[cut:], fin=True)
        expect_applied(ws, cid, "grüße ✓ 𝄞")


@case("utf8")
def invalid_utf8_in_a_later_fragment(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        data = ctx.climb()[1]
        ws.send(TEXT, data[:10], fin=False)
        ws.send(CONT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80", fin=False)
        ws.send(CONT, data[10:], fin=True)
        expect_code(ws, 1007)
    unchanged(ctx, before)


@case("utf8")
def invalid_utf8_split_across_fragments(ctx):
    """Each fragment is fine alone as a prefix; their join is not."""
    before = ctx.last_seq()
    with ctx.live() as ws:
        ws.send(TEXT, b'{"type":"\xe2\x82', fin=False)   # a 3-byte sequence begins …
        ws.send(CONT, b'\x28"}', fin=True)               # … and is broken by "("
        expect_code(ws, 1007)
    unchanged(ctx, before)


@case("utf8")
def sequence_left_open_at_the_final_fragment(ctx):
    with ctx.live() as ws:
        ws.send(TEXT, b'{"type":"x"}', fin=False)
        ws.send(CONT, b"\xf0\x9d", fin=True)
        expect_code(ws, 1007)


# 5.5.1 / 7.4: the close handshake and its codes.
def close_echo_case(code):
    def f(ctx):
        with ctx.live() as ws:
            ws.send_close(code, "bye")
            expect_code(ws, code)
    return f


for _code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999):
    case("close", f"close_{_code}_is_echoed")(close_echo_case(_code))


@case("close")
def close_without_a_code_is_answered(ctx):
    with ctx.live() as ws:
        ws.send_close()
        # An empty close is answered by an empty one (or 1000); 1005 must
        # never be put on the wire (7.4.1).
        expect_code(ws, None, 1000)


@case("close")
def close_with_utf8_reason(ctx):
    with ctx.live() as ws:
        ws.send_close(1000, "grüße ✓")
        expect_code(ws, 1000)


def bad_close_case(code):
    def f(ctx):
        with ctx.live() as ws:
            ws.send_close(code, "x")
            expect_code(ws, 1002)
    return f


# 7.4.1/7.4.2: 0-999 are not used; 1004, 1005, 1006, 1015 are reserved and
# must never be sent; 1016-2999 are for future protocol revisions; nothing
# above 4999 is defined.
for _code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999):
    case("close", f"close_code_{_code}_is_refused")(bad_close_case(_code))
# Codes above 4999 are in no range RFC 6455 defines (7.4.2): invalid too.
# Their own group, so that a failure here does not hide the others.
for _code in (5000, 65535):
    case("close_undefined", f"close_code_{_code}_is_refused")(bad_close_case(_code))


@case("close")
def close_with_one_byte_payload(ctx):
    with ctx.live() as ws:
        ws.send(CLOSE, b"\x03")
        expect_code(ws, 1002)


@case("close")
def close_with_invalid_utf8_reason(ctx):
    with ctx.live() as ws:
        ws.send(CLOSE, b"\x03\xe8" + b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")
        expect_code(ws, 1002, 1007)


@case("close")
def nothing_is_processed_after_the_close(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        ws.send_raw(encode_frame(CLOSE, b"\x03\xe8") + encode_frame(TEXT, ctx.climb()[1]))
        expect_code(ws, 1000)
    unchanged(ctx, before)


# 7.4.1 1009, and the server's policy for binary data (1003).
@case("limits")
def message_over_the_limit_in_one_frame(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        ws.send(TEXT, b" " * (MAX_MESSAGE + 1000))
        expect_code(ws, 1009)
    unchanged(ctx, before)


@case("limits")
def message_over_the_limit_in_fragments(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        chunk = b" " * 30000
        ws.send(TEXT, chunk, fin=False)
        ws.send(CONT, chunk, fin=False)
        try:
            ws.send(CONT, chunk, fin=False)
            ws.send(CONT, chunk, fin=True)
        except OSError:
            pass  # refused already
        expect_code(ws, 1009)
    unchanged(ctx, before)


@case("limits")
def message_at_the_limit_is_taken(ctx):
    with ctx.live() as ws:
        cid, data = ctx.climb()
        data = data + b" " * (MAX_MESSAGE - len(data))
        assert len(data) == MAX_MESSAGE
        ws.send(TEXT, data)
        expect_applied(ws, cid)


@case("limits")
def binary_frame(ctx):
    before = ctx.last_seq()
    with ctx.live() as ws:
        ws.send(BINARY, b"\x00\x01\x02")
        expect_code(ws, 1003)
    unchanged(ctx, before)


@case("limits")
def fragmented_binary_message(ctx):
    with ctx.live() as ws:
        ws.send(BINARY, b"\x00", fin=False)
        ws.send(CONT, b"\x01", fin=True)
        expect_code(ws, 1003)


# 4.2: the opening handshake.
@case("handshake")
def accept_key_is_computed_from_our_key(ctx):
    for _ in range(3):
        with ctx.live() as ws:  # handshake() checks Sec-WebSocket-Accept
            ws.send_close(1000)
            expect_code(ws, 1000)


@case("handshake")
def browser_style_headers_are_accepted(ctx):
    """Firefox sends "Connection: keep-alive, Upgrade"; header names and the
    Upgrade token are case-insensitive (RFC 7230 3.2, 6455 4.2.1)."""
    path = f"/ws/session-live/{ctx.sid}/?token={ctx.b.admin}"
    ws = WebSocket(ctx.b.port, path)
    ws.request = ws.request.replace(b"Connection: Upgrade", b"connection: keep-alive, Upgrade")
    ws.request = ws.request.replace(b"Upgrade: websocket", b"upgrade: WebSocket")
    with ws:
        assert ws.handshake(), ws.refusal and ws.refusal.status
        op, data = ws.recv_message()
        assert json.loads(data)["type"] == "session_state", data


@case("handshake")
def missing_key_is_refused(ctx):
    ws = WebSocket(ctx.b.port, f"/ws/session-live/{ctx.sid}/?token={ctx.b.admin}", key="")
    with ws:
        assert not ws.handshake()
        assert ws.refusal.status == 400, ws.refusal.status


@case("handshake")
def wrong_version_is_refused_with_426(ctx):
    ws = WebSocket(ctx.b.port, f"/ws/session-live/{ctx.sid}/?token={ctx.b.admin}", version="8")
    with ws:
        assert not ws.handshake()
        assert ws.refusal.status == 426, ws.refusal.status
        assert ws.refusal.headers.get("sec-websocket-version") == "13", ws.refusal.headers


@case("handshake")
def unknown_socket_path_is_404(ctx):
    ws = WebSocket(ctx.b.port, f"/ws/nothing/{ctx.sid}/?token={ctx.b.admin}")
    with ws:
        assert not ws.handshake()
        assert ws.refusal.status == 404, ws.refusal.status


@case("handshake")
def unknown_session_gets_4404(ctx):
    ws = WebSocket(ctx.b.port, f"/ws/session-live/{UNKNOWN_ID}/?token={ctx.b.admin}")
    with ws:
        assert ws.handshake()
        op, data = ws.recv_message()
        assert json.loads(data)["code"] == "session_not_found", data
        expect_code(ws, 4404)


# The replay socket: a few of the same cases.
@case("replay")
def replay_ping_pong(ctx):
    with ctx.replay() as ws:
        ws.send(PING, b"replay")
        expect_pong(ws, b"replay")


@case("replay")
def replay_fragmented_control_with_ping(ctx):
    with ctx.replay() as ws:
        data = b'{"type": "play"}'
        ws.send(TEXT, data[:5], fin=False)
        ws.send(PING, b"mid")
        ws.send(CONT, data[5:], fin=True)
        expect_pong(ws, b"mid")
        seqs = []
        while True:
            op, msg = ws.recv_message()
            m = json.loads(msg)
            if m["type"] == "replay_completed":
                break
            seqs.append(m["seq"])
        assert seqs == [1, 2, 3], seqs


@case("replay")
def replay_unmasked_frame(ctx):
    with ctx.replay() as ws:
        ws.send_raw(encode_frame(TEXT, b'{"type":"play"}', mask=False))
        expect_code(ws, 1002)


@case("replay")
def replay_reserved_opcode(ctx):
    with ctx.replay() as ws:
        ws.send(0xB, b"")
        expect_code(ws, 1002)


@case("replay")
def replay_invalid_utf8(ctx):
    with ctx.replay() as ws:
        ws.send(TEXT, b'{"type":"\xff"}')
        expect_code(ws, 1007)


@case("replay")
def replay_binary_frame(ctx):
    with ctx.replay() as ws:
        ws.send(BINARY, b"\x01")
        expect_code(ws, 1003)


@case("replay")
def replay_oversize(ctx):
    with ctx.replay() as ws:
        ws.send_raw(encode_frame(TEXT, b"", length=MAX_MESSAGE + 1))
        expect_code(ws, 1009)


@case("replay")
def replay_close_1000(ctx):
    with ctx.replay() as ws:
        ws.send_close(1000)
        expect_code(ws, 1000)


@case("replay")
def replay_bad_close_code(ctx):
    with ctx.replay() as ws:
        ws.send_close(1005)
        expect_code(ws, 1002)


# --- runner ------------------------------------------------------------------

def run_group(binary, group):
    """Runs a group's cases; "rfc6455" runs all but close_undefined."""
    cases = [(g, n, f) for g, n, f in CASES
             if group == g or (group == "rfc6455" and g != "close_undefined")]
    assert cases, f"no group {group}"
    failures = []
    with Belayd(binary, "--max-message-bytes", str(MAX_MESSAGE)) as b:
        ctx = Ctx(b)
        for g, name, f in cases:
            try:
                f(ctx)
                print(f"  ok   {g}.{name}")
            except (AssertionError, Closed, TimeoutError, OSError) as e:
                print(f"  FAIL {g}.{name}: {e!r}")
                failures.append(name)
        # Still serving after all that.
        assert b.rest("GET", "/healthz")[0] == 200
        with ctx.live() as ws:
            cid, data = ctx.climb()
            ws.send(TEXT, data)
            expect_applied(ws, cid)
    print(f"  {len(cases) - len(failures)} of {len(cases)} RFC 6455 cases pass ({group})")
    assert not failures, f"{len(failures)} cases failed: {failures}"


GROUPS = ["rfc6455", "close_undefined", "framing", "fragmentation", "control", "utf8", "close",
          "limits", "handshake", "replay"]
TESTS = {g: (lambda binary, g=g: run_group(binary, g)) for g in GROUPS}

if __name__ == "__main__":
    default = ["rfc6455", "close_undefined"]
    sys.exit(run(TESTS, sys.argv if len(sys.argv) > 2 else sys.argv + default))
