"""Crash safety of the real belayd: publishers record every ack, belayd is
killed with SIGKILL at a random moment, restarted on the same data
directory, and everything acknowledged must be there, once.

Each round: start belayd; check the log and the REST views against what
was acknowledged so far; resume a subscriber per session with after_seq;
publish over the live socket (2 publishers a session, a window of
unacknowledged messages each, resending what the last crash left
unacknowledged and a few acknowledged ids); create, change and delete
sessions over REST; kill at a random moment; `belay inspect verify` the
directory. One restart in four is first killed while starting (opening the
log, restoring the projections' checkpoint, which is taken every 200
events). At the end, a clean stop (exit 0), verify, and the whole log
exported and checked.

Checked after every restart:
- every acknowledged client id is in its session's log exactly once, at the
  acknowledged seq; no client id appears twice; a resent id is acked with
  its first seq;
- GET /api/sessions/{id}/: last_seq = event_count = the events in the log,
  seqs 1..N without a gap (GET …/events/?from_seq=&limit=);
- every session whose POST (and PATCH) was answered exists with those
  writes, and every one whose DELETE was answered 204 stays deleted;
- every event a subscriber was sent is in the log at that seq (nothing a
  client saw is lost), and a subscriber resuming with after_seq across all
  the crashes sees every event exactly once, in order.

usage: /usr/bin/python3 test_crash.py BELAYD [sigkill_rounds_sync|sigkill_rounds_buffered]
env: BELAY_CRASH_ROUNDS (default 20), BELAY_CLI (default: belay beside BELAYD),
     BELAY_CRASH_SEED (default: random, printed)
"""
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import connect, run  # noqa: E402

import websockets  # noqa: E402

WINDOW = 16          # unacknowledged messages per publisher
PUBLISHERS = 2       # per session
SESSIONS = 2
MAX_PER_ROUND = 1000  # messages per publisher per round (bounds the checks' cost)


class Violation(AssertionError):
    pass


class Server:
    """belayd on a fixed data directory, restartable, killable."""

    def __init__(self, binary, data_dir, durability):
        self.binary, self.dir, self.durability = binary, data_dir, durability
        self.proc, self.port, self.output = None, None, []

    def start(self):
        self.output = []
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", self.dir, "--listen", "127.0.0.1:0", "--stats-interval",
             "0", "--durability", self.durability, "--checkpoint-every", "200"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        self.port = None

        def read(proc=self.proc, out=self.output):
            for line in proc.stdout:
                out.append(line)
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60) or self.port is None:
            self.proc.kill()
            raise RuntimeError("belayd did not start:\n" + "".join(self.output))
        with open(os.path.join(self.dir, "admin.token")) as f:
            self.token = f.read().strip()

    def kill_while_starting(self, delay):
        """Starts belayd and kills it `delay` seconds later, ready or not
        (opening the log, folding the projections, restoring a checkpoint)."""
        proc = subprocess.Popen(
            [self.binary, "--data-dir", self.dir, "--listen", "127.0.0.1:0", "--stats-interval",
             "0", "--durability", self.durability, "--checkpoint-every", "200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def term(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "timeout"
        if code != 0:
            time.sleep(0.2)
            raise RuntimeError(f"belayd exited with {code}:\n" + "".join(self.output[-40:]))

    def rest(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     method=method)
        req.add_header("Authorization", f"Token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def url(self, sid, **query):
        q = "".join(f"&{k}={v}" for k, v in query.items())
        return f"ws://127.0.0.1:{self.port}/ws/session-live/{sid}/?token={self.token}{q}"


def message(cid):
    """The message with client id `cid`: always the same bytes, so a resend
    is the same message."""
    return json.dumps({"type": "climb_update", "id": cid,
                       "climb": {"holds": [], "status": "started", "tag": cid}})


class World:
    """What the clients know: what was sent, acknowledged, seen."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.sent = {}                              # cid -> session
        self.acked = {}                             # cid -> seq
        self.pending = {s: [] for s in sessions}    # sent, never acked
        self.seen = {s: {} for s in sessions}       # seq -> tag (None: not ours)
        self.sub_pos = {s: 0 for s in sessions}     # last seq the subscriber saw
        self.created = {}        # session POSTed with a 201 -> events acknowledged in it
        self.deleted = set()     # sessions whose DELETE was answered 204
        self.in_doubt = set()    # a DELETE was in flight at the kill: either way
        self.reacks = 0
        self.violations = []

    def violation(self, text):
        self.violations.append(text)


async def publisher(srv, world, sid, k, rnd, stop):
    """Sends the session's pending ids, a few acked ones, then new ones, with
    WINDOW unacknowledged at most, until the connection dies."""
    rng = random.Random(f"{rnd}-{sid}-{k}")
    resend = world.pending[sid][k::PUBLISHERS]
    old = [c for c, s in world.sent.items() if s == sid and c in world.acked]
    resend += rng.sample(old, min(3, len(old)))
    new = [f"{sid[:8]}-r{rnd}-p{k}-{i}" for i in range(MAX_PER_ROUND)]
    window = asyncio.Semaphore(WINDOW)
    unacked = set()
    try:
        ws = await asyncio.wait_for(connect(srv.url(sid)), 10)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
        return

    async def read():
        try:
            async for raw in ws:
                m = json.loads(raw)
                if m["type"] == "ack":
                    cid, seq = m["id"], m["seq"]
                    if cid in world.acked and world.acked[cid] != seq:
                        world.violation(f"{cid} acked at seq {world.acked[cid]}, now at {seq}")
                    elif cid in world.acked:
                        world.reacks += 1
                    world.acked[cid] = seq
                    if cid in unacked:
                        unacked.discard(cid)
                        window.release()
                elif m["type"] == "error":
                    world.violation(f"error answered: {m}")
        except websockets.ConnectionClosed:
            pass
        finally:
            for _ in range(WINDOW + 1):  # the sender must not wait for acks that cannot come
                window.release()

    reader = asyncio.create_task(read())
    try:
        for cid in resend + new:
            if stop.is_set():
                break
            await window.acquire()
            if reader.done():
                break
            world.sent.setdefault(cid, sid)
            unacked.add(cid)
            await ws.send(message(cid))
    except websockets.ConnectionClosed:
        pass
    try:
        await asyncio.wait_for(reader, 30)
    except asyncio.TimeoutError:
        world.violation("a publisher's socket stayed open after the kill")


async def subscriber(srv, world, sid, until=None):
    """Resumes at after_seq = the last seq seen; every event must be the next
    seq. Stops when the connection dies (or at seq `until`)."""
    try:
        ws = await asyncio.wait_for(connect(srv.url(sid, after_seq=world.sub_pos[sid])), 10)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
        return
    try:
        async for raw in ws:
            m = json.loads(raw)
            if m["type"] == "session_state":
                continue
            if "seq" not in m:
                world.violation(f"subscriber got {m}")
                continue
            seq = m["seq"]
            if seq != world.sub_pos[sid] + 1:
                world.violation(f"subscriber of {sid[:8]} got seq {seq} after "
                                f"{world.sub_pos[sid]} (a gap or a duplicate)")
            world.seen[sid][seq] = m.get("climb", {}).get("tag") if m["type"] == "climb_updated" \
                else None
            world.sub_pos[sid] = max(world.sub_pos[sid], seq)
            if until is not None and seq >= until:
                break
    except websockets.ConnectionClosed:
        pass
    finally:
        await ws.close()


def creator(srv, world, stop, rng):
    """REST writes until stopped or refused: POST a session, PATCH it, and
    DELETE every other one; records what was answered."""
    while not stop.is_set():
        try:
            status, body = srv.rest("POST", "/api/sessions/", {}, timeout=5)
            if status != 201:
                return
            sid = body["id"]
            world.created[sid] = 1
            status, body = srv.rest("PATCH", f"/api/sessions/{sid}/", {"status": "completed"},
                                    timeout=5)
            if status != 200:
                return
            world.created[sid] = 2
            if rng.random() < 0.5:
                world.in_doubt.add(sid)
                status, body = srv.rest("DELETE", f"/api/sessions/{sid}/", timeout=5)
                if status != 204:
                    return
                world.in_doubt.discard(sid)
                world.deleted.add(sid)
        except Exception:  # noqa: BLE001 - killed mid-request: refused, reset, cut short
            return
        stop.wait(0.02)


def read_stream(srv, sid):
    """The session's events through GET …/events/, page by page."""
    events, start = [], 1
    while True:
        status, page = srv.rest("GET", f"/api/sessions/{sid}/events/?from_seq={start}&limit=1000")
        assert status == 200, (status, page)
        events += page
        if len(page) < 1000:
            return events
        start = page[-1]["seq"] + 1


def check(srv, world):
    """Everything acknowledged is in the log and the views, once."""
    by_session = {s: [] for s in world.sessions}
    for cid, sid in world.sent.items():
        if cid in world.acked:
            by_session[sid].append(cid)
    all_ids = {}
    for sid in world.sessions:
        status, view = srv.rest("GET", f"/api/sessions/{sid}/")
        assert status == 200, (status, view)
        events = read_stream(srv, sid)
        n = len(events)
        if [e["seq"] for e in events] != list(range(1, n + 1)):
            world.violation(f"{sid[:8]}: the seqs are not 1..{n}")
        if view["last_seq"] != n or view["event_count"] != n:
            world.violation(f"{sid[:8]}: last_seq {view['last_seq']}, event_count "
                            f"{view['event_count']}, but {n} events in the log")
        tag_at = {}
        for e in events:
            cid = e.get("client_id")
            tag_at[e["seq"]] = (e.get("payload", {}).get("climb") or {}).get("tag") \
                if e["type"] == "climb_updated" else None
            if cid is None:
                continue
            if cid in all_ids:
                world.violation(f"client id {cid} appears twice (seqs {all_ids[cid]} and "
                                f"{e['seq']})")
            all_ids[cid] = e["seq"]
            if world.sent.get(cid) != sid or tag_at[e["seq"]] != cid:
                world.violation(f"{cid} at {sid[:8]} seq {e['seq']}: not what was sent there")
        for cid in by_session[sid]:
            if all_ids.get(cid) != world.acked[cid]:
                world.violation(f"acked {cid} (seq {world.acked[cid]}) is "
                                + ("missing" if cid not in all_ids else f"at {all_ids[cid]}"))
        for seq, tag in world.seen[sid].items():
            if seq > n:
                world.violation(f"{sid[:8]}: a subscriber saw seq {seq}; the log ends at {n}")
            elif tag_at.get(seq) != tag:
                world.violation(f"{sid[:8]} seq {seq}: a subscriber saw {tag}, the log has "
                                f"{tag_at.get(seq)}")
    if world.created:
        status, listing = srv.rest("GET", "/api/sessions/")
        views = {s["id"]: s for s in listing}
        for sid, count in world.created.items():
            if sid in world.in_doubt:
                continue
            if sid in world.deleted:
                if sid in views or srv.rest("GET", f"/api/sessions/{sid}/events/")[0] != 404:
                    world.violation(f"session {sid[:8]} was deleted (204) and is back")
            elif sid not in views:
                world.violation(f"session {sid[:8]} was created (201) and is gone")
            elif views[sid]["event_count"] < count or views[sid]["last_seq"] < count or \
                    (count == 2 and views[sid]["status"] != "completed"):
                world.violation(f"session {sid[:8]}: {count} writes acknowledged, the view is "
                                f"{views[sid]}")
    return sum(len(ids) for ids in by_session.values())


def belay_cli(binary):
    return os.environ.get("BELAY_CLI") or os.path.join(os.path.dirname(binary), "belay")


def verify_log(cli, data_dir):
    r = subprocess.run([cli, "inspect", "verify", "--data-dir", data_dir], capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise Violation(f"belay inspect verify failed ({r.returncode}):\n{r.stdout}{r.stderr}")


async def one_round(srv, world, rnd, rng):
    stop = threading.Event()
    subs = [asyncio.create_task(subscriber(srv, world, s)) for s in world.sessions]
    pubs = [asyncio.create_task(publisher(srv, world, s, k, rnd, stop))
            for s in world.sessions for k in range(PUBLISHERS)]
    rest = asyncio.create_task(asyncio.to_thread(creator, srv, world, stop,
                                                 random.Random(rng.random())))
    await asyncio.sleep(rng.uniform(0.05, 1.5))
    srv.kill()
    stop.set()
    await asyncio.wait_for(asyncio.gather(*subs, *pubs, rest), 60)
    for sid in world.sessions:  # what the crash left unacknowledged is sent again
        world.pending[sid] = [c for c, s in world.sent.items()
                              if s == sid and c not in world.acked]


async def crash_rounds(binary, durability):
    rounds = int(os.environ.get("BELAY_CRASH_ROUNDS", "20"))
    seed = int(os.environ.get("BELAY_CRASH_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    cli = belay_cli(binary)
    data_dir = tempfile.mkdtemp(prefix="belay-crash-")
    srv = Server(binary, data_dir, durability)
    started = time.monotonic()
    ok = False
    try:
        srv.start()
        world = World([srv.rest("POST", "/api/sessions/", {})[1]["id"] for _ in range(SESSIONS)])
        checked = survived = early_kills = 0
        for rnd in range(rounds):
            if rnd > 0:
                if rng.random() < 0.25:
                    srv.kill_while_starting(rng.uniform(0.0, 0.2))
                    early_kills += 1
                srv.start()
                checked = check(srv, world)
                if world.violations:
                    break
                survived += 1  # the last round's crash, checked after the restart
            await one_round(srv, world, rnd, rng)
            verify_log(cli, data_dir)
            if world.violations:
                break
        if not world.violations:
            srv.start()
            checked = check(srv, world)
            survived += 0 if world.violations else 1
            # The subscribers catch up to the end: each saw every seq once.
            for sid in world.sessions:
                last = srv.rest("GET", f"/api/sessions/{sid}/")[1]["last_seq"]
                if world.sub_pos[sid] < last:
                    await asyncio.wait_for(subscriber(srv, world, sid, until=last), 60)
                if sorted(world.seen[sid]) != list(range(1, last + 1)):
                    world.violation(f"{sid[:8]}: the resuming subscriber saw "
                                    f"{len(world.seen[sid])} of {last} seqs")
            checked = check(srv, world)
            srv.term()
            verify_log(cli, data_dir)
            export = subprocess.run([cli, "inspect", "export", "--data-dir", data_dir],
                                    capture_output=True, text=True, timeout=120, check=True)
            counts = {}
            for line in export.stdout.splitlines():
                cid = json.loads(line).get("client_id")
                if cid in world.acked:
                    counts[cid] = counts.get(cid, 0) + 1
            wrong = [c for c in world.acked if counts.get(c) != 1]
            if wrong:
                world.violation(f"{len(wrong)} acked ids not exactly once in the export: "
                                f"{wrong[:3]}")
        elapsed = time.monotonic() - started
        events = sum(len(s) for s in world.seen.values())
        print(f"  {durability}: seed {seed}, {survived} of {rounds} SIGKILL rounds survived "
              f"(and {early_kills} kills during start-up), {checked} acked "
              f"events verified ({world.reacks} resent ids acked with their first seq), "
              f"{len(world.created)} sessions written over REST ({len(world.deleted)} deleted) "
              f"as answered, {events} events seen "
              f"once by resuming subscribers, {elapsed:.0f} s")
        if world.violations:
            raise Violation(f"seed {seed}, {len(world.violations)} violations:\n  "
                            + "\n  ".join(world.violations[:20]))
        ok = True
    finally:
        if srv.proc and srv.proc.poll() is None:
            srv.proc.kill()
        if ok:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"  data directory kept: {data_dir}")


async def sigkill_rounds_sync(binary):
    await crash_rounds(binary, "sync")


async def sigkill_rounds_buffered(binary):
    await crash_rounds(binary, "buffered")


TESTS = {f.__name__: f for f in [sigkill_rounds_sync, sigkill_rounds_buffered]}

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
