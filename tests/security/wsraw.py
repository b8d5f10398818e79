"""A raw RFC 6455 client over a plain socket: the handshake (with the
Sec-WebSocket-Accept check) and frames encoded and decoded here, byte by
byte, so a test can send what a well-behaved library never would (unmasked
frames, reserved bits, bad lengths, split UTF-8, fragmented control frames).
"""
import base64
import hashlib
import os
import socket
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Closed(Exception):
    """The connection ended: a close frame came (`code` is its status code,
    `close_frame` is True) or the TCP connection ended (EOF or reset)."""

    def __init__(self, text, code=None, close_frame=False):
        super().__init__(text)
        self.code, self.close_frame = code, close_frame


def accept_key(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def encode_frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None, length_form=None,
                 key=None):
    """One frame. `length` overrides the declared payload length (the payload
    sent may then be shorter: a header alone declares a huge message);
    `length_form` forces the 7-bit, 16-bit or 64-bit form (7, 16, 64)."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    first = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)
    form = length_form or (7 if n < 126 else 16 if n <= 0xFFFF else 64)
    mask_bit = 0x80 if mask else 0
    if form == 7:
        head = struct.pack("!BB", first, mask_bit | n)
    elif form == 16:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, n)
    if not mask:
        return head + payload
    key = key or os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    if isinstance(reason, str):
        reason = reason.encode()
    return struct.pack("!H", code) + reason


class Frame:
    def __init__(self, fin, rsv, opcode, masked, payload):
        self.fin, self.rsv, self.opcode = fin, rsv, opcode
        self.masked, self.payload = masked, payload

    @property
    def close_code(self):
        """The status code of a close frame (None if it has no body)."""
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def __repr__(self):
        return f"Frame(fin={self.fin}, rsv={self.rsv}, op={self.opcode:#x}, {self.payload[:80]!r})"


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


def read_http_head(sock, deadline):
    """Reads a response head (up to the blank line); returns it and what followed."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise Closed(f"connection closed during the HTTP head: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest


class WebSocket:
    """A client connection. `handshake()` upgrades it; refusals (4xx) are
    kept in `self.refusal`."""

    def __init__(self, port, path, headers=None, key=None, version="13", timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.buf = b""
        self.refusal = None
        self.key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Version: {version}"]
        if self.key:
            lines.append(f"Sec-WebSocket-Key: {self.key}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()

    def handshake(self):
        """Sends the upgrade; returns True on 101 (Accept checked), False on a refusal."""
        self.sock.sendall(self.request)
        deadline = time.monotonic() + self.timeout
        status, headers, rest = read_http_head(self.sock, deadline)
        if status != 101:
            body = rest
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.refusal = Response(status, headers, body)
            return False
        assert headers.get("upgrade", "").lower() == "websocket", headers
        assert "upgrade" in headers.get("connection", "").lower(), headers
        assert headers.get("sec-websocket-accept") == accept_key(self.key), \
            f"Sec-WebSocket-Accept {headers.get('sec-websocket-accept')!r} is not " \
            f"{accept_key(self.key)!r}"
        self.buf = rest
        return True

    # --- sending ----------------------------------------------------------

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, opcode, payload=b"", **kw):
        self.sock.sendall(encode_frame(opcode, payload, **kw))

    def send_text(self, text):
        self.send(TEXT, text)

    def send_close(self, code=None, reason=b""):
        self.send(CLOSE, close_payload(code, reason))

    # --- receiving --------------------------------------------------------

    def _need(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waited for {n} bytes, have {len(self.buf)}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except (ConnectionResetError, BrokenPipeError) as e:
                raise Closed(f"reset: {e}") from e
            except socket.timeout as e:
                raise TimeoutError(f"waited for {n} bytes, have {len(self.buf)}") from e
            if not chunk:
                raise Closed("EOF")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self, timeout=None):
        """The next frame from the server; checks that it is unmasked (RFC
        6455 5.1: a server never masks) and that its length is minimal."""
        deadline = time.monotonic() + (timeout or self.timeout)
        b0, b1 = self._need(2, deadline)
        fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF
        masked, n = bool(b1 & 0x80), b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._need(2, deadline))
            assert n >= 126, "server used a 16-bit length for a short payload"
        elif n == 127:
            (n,) = struct.unpack("!Q", self._need(8, deadline))
            assert n > 0xFFFF and n < (1 << 63), "server used a bad 64-bit length"
        assert not masked, "the server masked a frame (RFC 6455 5.1 forbids it)"
        payload = self._need(n, deadline) if n else b""
        return Frame(fin, rsv, opcode, masked, payload)

    def recv_message(self, timeout=None, on_control=None):
        """The next data message (opcode, bytes), answering pings on the way."""
        deadline = time.monotonic() + (timeout or self.timeout)
        parts, first = [], None
        while True:
            f = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if f.opcode == PING:
                self.send(PONG, f.payload)
                continue
            if f.opcode in (PONG, CLOSE):
                if on_control:
                    on_control(f)
                if f.opcode == CLOSE:
                    raise Closed(f"close frame {f.close_code}: {f.payload[2:]!r}", f.close_code,
                                 True)
                continue
            if first is None:
                first = f.opcode
            parts.append(f.payload)
            if f.fin:
                return first, b"".join(parts)

    def expect_close(self, timeout=None, answer=True):
        """Reads until the server's close frame; skips data, answers pings.
        Returns (code, reason). Then answers with a close (unless told not
        to) and checks that the server ends the TCP connection."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            f = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if f.opcode == PING:
                try:
                    self.send(PONG, f.payload)
                except OSError:
                    pass
                continue
            if f.opcode == CLOSE:
                break
        code, reason = f.close_code, f.payload[2:]
        if answer:
            try:
                self.send_close(code if code not in (None, 1005, 1006, 1015) else None)
            except OSError:
                pass
        self.expect_eof(max(0.5, deadline - time.monotonic()))
        return code, reason

    def expect_eof(self, timeout=10):
        """The server closes the TCP connection within `timeout` (any bytes
        arriving meanwhile are ignored)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the server did not close the TCP connection")
            self.sock.settimeout(left)
            try:
                if not self.sock.recv(65536):
                    return
            except (ConnectionResetError, BrokenPipeError):
                return
            except socket.timeout:
                raise AssertionError("the server did not close the TCP connection")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
