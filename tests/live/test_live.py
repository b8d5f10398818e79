"""End-to-end tests of the live socket against the real belayd.

usage: /usr/bin/python3 test_live.py BELAYD [TEST …]
"""
import asyncio
import json
import os
import signal
import sys
import time

import websockets

from harness import Belayd, connect, pose, receive_events, run


async def state_of(ws):
    msg = json.loads(await ws.recv())
    assert msg["type"] == "session_state", msg
    return msg


async def two_subscribers_same_stream(binary):
    with Belayd(binary) as b:
        sid, other = b.make_session(), b.make_session()
        async with connect(b.url(sid)) as a, connect(b.url(sid)) as c, \
                connect(b.url(other)) as stranger, connect(b.url(sid)) as pub:
            for ws in (a, c, stranger, pub):
                await state_of(ws)
            for i in range(200):
                await pub.send(json.dumps(pose(i)))
            ea, _ = await receive_events(a, 200)
            ec, _ = await receive_events(c, 200)
            ep, acks = await receive_events(pub, 200)
            assert [e["seq"] for e in ea] == list(range(2, 202))
            assert ea == ec == ep
            assert all(e["type"] == "pose_updated" and len(e["pose"]) == 33 for e in ea)
            while len(acks) < 200:  # the sender's acks, one per id
                acks.append(json.loads(await pub.recv()))
            assert sorted(int(x["id"][1:]) for x in acks) == list(range(200))
            try:
                msg = await asyncio.wait_for(stranger.recv(), 0.5)
                raise AssertionError(f"another session's subscriber got {msg}")
            except asyncio.TimeoutError:
                pass


async def three_publishers_one_order(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        subs = [await connect(b.url(sid)) for _ in range(2)]
        pubs = [await connect(b.url(sid)) for _ in range(3)]
        for ws in subs + pubs:
            await state_of(ws)

        async def publish(k, ws):
            for i in range(300):
                await ws.send(json.dumps({"type": "climb_update", "id": f"{k}-{i}",
                                          "climb": {"holds": [], "status": "started", "k": k,
                                                    "n": i}}))

        await asyncio.gather(*(publish(k, ws) for k, ws in enumerate(pubs)))
        streams = [(await receive_events(ws, 900))[0] for ws in subs]
        assert [e["seq"] for e in streams[0]] == list(range(2, 902))
        assert streams[0] == streams[1]
        for k in range(3):  # each publisher's own order is kept
            mine = [e["climb"]["n"] for e in streams[0] if e["climb"]["k"] == k]
            assert mine == list(range(300)), k
        for ws in subs + pubs:
            await ws.close()
        status, body = b.rest("GET", f"/api/sessions/{sid}/")
        assert body["last_seq"] == 901 and body["event_count"] == 901, body


async def resume_after_disconnect(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        pub = await connect(b.url(sid))
        await state_of(pub)
        sub = await connect(b.url(sid))
        await state_of(sub)
        for i in range(100):
            await pub.send(json.dumps(pose(i)))
        first, _ = await receive_events(sub, 40)
        last_seen = first[-1]["seq"]
        await sub.close()
        for i in range(100, 1000):  # a burst while it is away
            await pub.send(json.dumps(pose(i)))
        sub = await connect(b.url(sid, after_seq=last_seen))
        await state_of(sub)
        rest, _ = await receive_events(sub, 1001 - last_seen)
        seqs = [e["seq"] for e in rest]
        assert seqs == list(range(last_seen + 1, 1002)), (seqs[:5], seqs[-5:])
        try:
            extra = await asyncio.wait_for(sub.recv(), 0.5)
            raise AssertionError(f"a duplicate or extra message: {extra[:100]}")
        except asyncio.TimeoutError:
            pass
        await pub.close()
        await sub.close()


async def resume_while_writing_at_full_speed(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        pub = await connect(b.url(sid))
        await state_of(pub)
        total = 3000

        async def publish():
            for i in range(total):
                await pub.send(json.dumps(pose(i)))

        task = asyncio.create_task(publish())
        await asyncio.sleep(0.05)
        sub = await connect(b.url(sid, after_seq=0))
        state = await state_of(sub)
        events, _ = await receive_events(sub, total + 1)  # session_created is seq 1
        await task
        assert [e["seq"] for e in events] == list(range(1, total + 2))
        assert events[0]["type"] == "session_created"
        await pub.close()
        await sub.close()


async def resume_past_the_end(binary):
    """An after_seq past the last event (a client that kept a seq from a
    deleted-and-recreated data directory, say) resumes at the end."""
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as pub:
            await state_of(pub)
            for i in range(3):
                await pub.send(json.dumps(pose(i)))
            await receive_events(pub, 3)
            async with connect(b.url(sid, after_seq=10 ** 15)) as sub:
                state = await state_of(sub)
                assert state["seq"] == 4, state
                await pub.send(json.dumps(pose(3)))
                events, _ = await receive_events(sub, 1)
                assert [e["seq"] for e in events] == [5], events


async def slow_subscriber_loses_nothing(binary):
    with Belayd(binary, "--outbox-bytes", "65536", "--messages-per-second", "0") as b:
        sid = b.make_session()
        total = 50_000
        slow = await connect(b.url(sid), max_queue=1, read_limit=2 ** 16,
                                        write_limit=2 ** 16)
        await state_of(slow)
        normal = await connect(b.url(sid))
        await state_of(normal)
        pub = await connect(b.url(sid))
        await state_of(pub)
        rss_before = b.rss_kib()
        latencies = []

        async def publish():
            for i in range(total):
                await pub.send(json.dumps(pose(i)))
                if i % 1000 == 0:
                    await asyncio.sleep(0)

        async def normal_reader():
            got = 0
            while got < total:
                msg = json.loads(await asyncio.wait_for(normal.recv(), 60))
                if msg["type"] == "pose_updated":
                    got += 1
                    if got % 500 == 0:
                        latencies.append(time.time())
            return got

        async def drain(ws):  # the publisher reads its acks and echoes
            try:
                while True:
                    await ws.recv()
            except websockets.ConnectionClosed:
                pass

        start = time.time()
        drainer = asyncio.create_task(drain(pub))
        task = asyncio.create_task(publish())
        got_normal = await normal_reader()
        await task
        rss_peak = b.rss_kib()
        assert got_normal == total
        # The slow one now reads everything, in order, from the log.
        events, _ = await receive_events(slow, total, timeout=120)
        assert [e["seq"] for e in events] == list(range(2, total + 2))
        print(f"  normal subscriber got {total} events in {latencies[-1] - start:.1f} s; "
              f"RSS {rss_before} → {rss_peak} KiB")
        # The backlog lives in the log, not in memory: growth stays near the
        # memtable's size. (Sanitizer builds keep freed memory: no bound there.)
        if not os.environ.get("BELAY_SANITIZED"):
            assert rss_peak - rss_before < 200_000, "memory grew with the slow subscriber's backlog"
        for ws in (slow, normal, pub):
            await ws.close()
        await drainer


async def lagging_subscriber_is_closed(binary):
    with Belayd(binary, "--outbox-bytes", "16384", "--lag-timeout-ms", "2000") as b:
        sid = b.make_session()
        slow = await connect(b.url(sid), max_queue=1, read_limit=2 ** 12,
                                        write_limit=2 ** 12)
        await state_of(slow)
        pub = await connect(b.url(sid))  # reads all it gets: never behind for long
        await state_of(pub)
        start = time.monotonic()
        i = 0
        while time.monotonic() - start < 5:  # the slow one reads nothing meanwhile
            await pub.send(json.dumps(pose(i)))
            i += 1
            if i % 50 == 0:
                await asyncio.sleep(0.01)
        code = None
        try:
            while True:
                await asyncio.wait_for(slow.recv(), 30)
        except websockets.ConnectionClosed as e:
            code = e.code
        except asyncio.TimeoutError:
            pass
        assert code in (4008, 1006), f"closed with {code}"
        await pub.close()


async def bad_input_matrix(binary):
    with Belayd(binary, "--max-message-bytes", "100000") as b:
        sid = b.make_session()
        bob = b.make_user("bob")
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            cases = [
                ("{bad", "invalid_json"),
                ('{"type":"teleport"}', "unknown_type"),
                ('{"type":"session_update","status":"flying"}', "invalid_choice"),
                ('{"type":"pose_update","pose":"x"}', "wrong_type"),
                ('{"type":"climb_update"}', "missing_field"),
                ("[]", "not_an_object"),
            ]
            for text, code in cases:
                await ws.send(text)
                msg = json.loads(await ws.recv())
                assert msg["type"] == "error" and msg["code"] == code, (text, msg)
            # The old client's switch on data.type still works after errors.
            await ws.send(json.dumps({"type": "climb_update", "climb": {"holds": []}}))
            msg = json.loads(await ws.recv())
            assert msg["type"] == "climb_updated" and msg["climb"] == {"holds": []}, msg
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            await ws.send("x" * 200_000)
            try:
                await asyncio.wait_for(ws.recv(), 10)
                raise AssertionError("an oversize message was not refused")
            except websockets.ConnectionClosed as e:
                assert e.code == 1009, e.code
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            await ws.send(b"\x00\x01binary")
            try:
                await asyncio.wait_for(ws.recv(), 10)
                raise AssertionError("a binary frame was not refused")
            except websockets.ConnectionClosed as e:
                assert e.code == 1003, e.code
        for url, code in [(b.url(sid, token="nope"), 4401),
                          (f"ws://127.0.0.1:{b.port}/ws/session-live/{sid}/", 4401),
                          (b.url("00000000-0000-4000-8000-00000000abcd"), 4404),
                          (b.url(sid, token=bob), 4404)]:
            async with connect(url) as ws:
                try:
                    while True:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                        if code == 4404:
                            assert msg["type"] == "error" and msg["code"] == "session_not_found", msg
                except websockets.ConnectionClosed as e:
                    assert e.code == code, (url, e.code)
        status, body = b.rest("GET", f"/api/sessions/{sid}/")
        assert body["last_seq"] == 2, body  # only the one valid climb_update was appended


async def rest_writes_reach_subscribers(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            status, _ = b.rest("PATCH", f"/api/sessions/{sid}/", {"status": "completed"})
            assert status == 200
            msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert msg["type"] == "session_updated" and msg["status"] == "completed", msg
            assert msg["seq"] == 2 and msg["session_id"] == sid


async def acks_and_idempotent_resend(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            msg = {"type": "session_update", "status": "completed", "id": "once"}
            await ws.send(json.dumps(msg))
            first = [json.loads(await ws.recv()) for _ in range(2)]
            assert {m["type"] for m in first} == {"session_updated", "ack"}
            await ws.send(json.dumps(msg))  # a resend: acked again, not appended
            again = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert again == {"type": "ack", "id": "once", "seq": 2}, again
            try:
                extra = await asyncio.wait_for(ws.recv(), 0.5)
                raise AssertionError(f"the resend was broadcast: {extra}")
            except asyncio.TimeoutError:
                pass
        status, body = b.rest("GET", f"/api/sessions/{sid}/")
        assert body["last_seq"] == 2


async def deleted_session_closes_4404(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as ws:
            await state_of(ws)
            assert b.rest("DELETE", f"/api/sessions/{sid}/")[0] == 204
            await ws.send(json.dumps(pose(1)))
            try:
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    assert msg["type"] == "error" and msg["code"] == "session_not_found", msg
            except websockets.ConnectionClosed as e:
                assert e.code == 4404, e.code


async def deletion_and_shutdown_close_idle_sockets(binary):
    """A subscriber that only listens hears of the deletion (4404); at a
    server stop every socket, live and replay, gets 1001."""
    with Belayd(binary) as b:
        sid, other = b.make_session(), b.make_session()
        async with connect(b.url(sid)) as ws, \
                connect(b.replay_url(sid, paused=1)) as replay:
            await state_of(ws)
            assert json.loads(await replay.recv())["type"] == "replay_info"
            assert b.rest("DELETE", f"/api/sessions/{sid}/")[0] == 204
            for sock in (ws, replay):
                msg = json.loads(await asyncio.wait_for(sock.recv(), 10))
                assert msg["type"] == "error" and msg["code"] == "session_not_found", msg
                try:
                    await asyncio.wait_for(sock.recv(), 10)
                    raise AssertionError("still open")
                except websockets.ConnectionClosed as e:
                    assert e.code == 4404, e.code
        live = await connect(b.url(other))
        replay = await connect(b.replay_url(other, paused=1))
        await state_of(live)
        await replay.recv()
        b.proc.send_signal(signal.SIGTERM)
        for sock in (live, replay):
            try:
                await asyncio.wait_for(sock.recv(), 10)
                raise AssertionError("still open")
            except websockets.ConnectionClosed as e:
                assert e.code == 1001, e.code
        assert b.proc.wait(20) == 0


async def busy_fanout_keeps_order(binary):
    """Over 20,000 frames/s the hub hands frames out in batches: every
    subscriber still gets every event once, in order."""
    with Belayd(binary, "--messages-per-second", "0") as b:
        sid = b.make_session()
        subs = [await connect(b.url(sid)) for _ in range(40)]
        for ws in subs:
            await state_of(ws)
        async with connect(b.url(sid)) as pub:
            await state_of(pub)
            for i in range(3000):
                await pub.send(json.dumps({"type": "pose_update", "pose": [{"x": 0.5, "y": 0.5}]}))
            for ws in subs:
                events, _ = await receive_events(ws, 3000)
                assert [e["seq"] for e in events] == list(range(2, 3002))
        for ws in subs:
            await ws.close()


async def batched_echo_rides_with_ack(binary):
    """While the hub batches (here: always), a sender's own event goes out
    with its ack rather than with the next batch: the sender still sees every
    event once and in order, each acked with its seq, as a viewer sees them."""
    with Belayd(binary, "--live-batch-above", "0", "--messages-per-second", "0") as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as viewer, connect(b.url(sid)) as pub:
            await state_of(viewer)
            await state_of(pub)
            n = 300
            for i in range(n):
                await pub.send(json.dumps({**pose(i), "id": f"b{i}"}))
            mine, acks = await receive_events(pub, n)
            while len(acks) < n:
                acks.append(json.loads(await asyncio.wait_for(pub.recv(), 10)))
            seen, _ = await receive_events(viewer, n)
            assert [e["seq"] for e in mine] == list(range(2, 2 + n)), [e["seq"] for e in mine]
            assert seen == mine
            assert [(m["type"], m["id"], m["seq"]) for m in acks] == \
                [("ack", f"b{i}", 2 + i) for i in range(n)], acks[:3]
            # One at a time: the event, then its ack, in one write (before,
            # the ack came at once and the event 5 ms later with the batch).
            orders = []
            for i in range(5):
                await pub.send(json.dumps({**pose(i), "id": f"one{i}"}))
                got = [json.loads(await asyncio.wait_for(pub.recv(), 10)) for _ in range(2)]
                event = next(m for m in got if m["type"] == "pose_updated")
                ack = next(m for m in got if m["type"] == "ack")
                assert event["seq"] == ack["seq"] == 2 + n + i and ack["id"] == f"one{i}", got
                assert json.loads(await asyncio.wait_for(viewer.recv(), 10)) == event
                orders.append([m["type"] for m in got])
            assert ["pose_updated", "ack"] in orders, orders
            try:
                extra = await asyncio.wait_for(pub.recv(), 0.5)
                raise AssertionError(f"the sender got more: {extra}")
            except asyncio.TimeoutError:
                pass


async def limits_cap_origin_rate(binary):
    with Belayd(binary, "--max-connections-per-user", "2", "--allowed-origins",
                "https://gym.example", "--messages-per-second", "10", "--message-burst",
                "20") as b:
        sid = b.make_session()
        a = await connect(b.url(sid))
        c = await connect(b.url(sid), origin="https://gym.example")
        await state_of(a)
        await state_of(c)
        third = await connect(b.url(sid))  # over the per-user cap
        try:
            await asyncio.wait_for(third.recv(), 10)
            raise AssertionError("a third connection was served")
        except websockets.ConnectionClosed as e:
            assert e.code == 4429, e.code
        try:
            await connect(b.url(sid), origin="https://evil.example")
            raise AssertionError("a foreign Origin was accepted")
        except websockets.InvalidStatusCode as e:
            assert e.status_code == 403, e.status_code
        await c.close()
        codes = []
        try:
            for i in range(200):
                await a.send(json.dumps({"type": "session_update", "status": "started"}))
            while True:
                msg = json.loads(await asyncio.wait_for(a.recv(), 10))
                if msg["type"] == "error":
                    codes.append(msg["code"])
        except websockets.ConnectionClosed as e:
            assert e.code == 1008, e.code
        assert "rate_limited" in codes, codes
        status, body = b.rest("GET", f"/api/sessions/{sid}/")
        assert body["last_seq"] <= 1 + 20 + 10, body  # the burst, plus what the rate refilled


TESTS = {f.__name__: f for f in [
    limits_cap_origin_rate,
    two_subscribers_same_stream, three_publishers_one_order, resume_after_disconnect,
    resume_while_writing_at_full_speed, resume_past_the_end, slow_subscriber_loses_nothing,
    lagging_subscriber_is_closed, bad_input_matrix, rest_writes_reach_subscribers,
    acks_and_idempotent_resend, deleted_session_closes_4404,
    deletion_and_shutdown_close_idle_sockets, busy_fanout_keeps_order, batched_echo_rides_with_ack]}

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
