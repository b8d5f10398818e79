"""End-to-end tests of the replay socket against the real belayd.

Timing properties are checked with generous bounds at the client (these
machines are noisy); they show pacing works, they do not measure speed.

usage: /usr/bin/python3 test_replay.py BELAYD [TEST …]
"""
import asyncio
import json
import sys
import tempfile
import time

import websockets

from harness import Belayd, connect, pose, run


def climb(done, total=5):
    return {"type": "climb_update", "climb": {
        "holds": [{"id": str(h), "type": "normal",
                   "status": "completed" if h < done else "untouched", "time": None}
                  for h in range(total)],
        "status": "started"}}


async def record(b, sid, messages, gap=0.1):
    """Sends `messages` over the live socket `gap` seconds apart, each acked."""
    async with connect(b.url(sid)) as ws:
        assert json.loads(await ws.recv())["type"] == "session_state"
        for i, m in enumerate(messages):
            if i:
                await asyncio.sleep(gap)
            await ws.send(json.dumps({**m, "id": f"r{i}"}))
            while json.loads(await ws.recv())["type"] != "ack":
                pass


async def next_msg(ws, timeout=10):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def read_replay(ws, timeout=30):
    """replay_info, then events until replay_completed: (info, events, arrival times, end)."""
    info = await next_msg(ws)
    assert info["type"] == "replay_info", info
    events, times = [], []
    while True:
        m = await next_msg(ws, timeout)
        if m["type"] == "replay_completed":
            return info, events, times, m
        assert "seq" in m, m
        events.append(m)
        times.append(time.monotonic())


async def pacing_at_speed_1_and_4(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        await record(b, sid, [pose(i) for i in range(21)])  # seq 2..22, 100 ms apart
        for speed, low, high in ((1, 1.6, 3.5), (4, 0.35, 1.5)):
            async with connect(b.replay_url(sid, speed=speed)) as ws:
                info, events, times, end = await read_replay(ws)
                assert info["first_seq"] == 1 and info["last_seq"] == 22, info
                assert info["event_count"] == 22 and info["session"]["id"] == sid, info
                assert 1800 <= info["duration_ms"] <= 5000, info
                assert [e["seq"] for e in events] == list(range(1, 23))
                assert end["last_seq"] == 22
                assert events[0]["type"] == "session_created" and events[0]["offset_ms"] == 0
                offsets = [e["offset_ms"] for e in events[1:]]
                assert offsets == sorted(offsets)
                gaps = [b - a for a, b in zip(offsets, offsets[1:])]
                assert all(80 <= g <= 400 for g in gaps), gaps
                span = times[-1] - times[1]  # the 20 gaps between the pose frames
                assert low <= span <= high, (speed, span)


async def pause_play_and_speed_change(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        await record(b, sid, [pose(i) for i in range(21)])
        async with connect(b.replay_url(sid)) as ws:
            assert (await next_msg(ws))["type"] == "replay_info"
            for _ in range(4):
                await next_msg(ws)
            await ws.send(json.dumps({"type": "pause"}))
            await asyncio.sleep(0.05)
            held = []
            try:
                while True:  # at most what was already in flight
                    held.append(await next_msg(ws, 0.6))
            except asyncio.TimeoutError:
                pass
            assert len(held) <= 1, held
            await ws.send(json.dumps({"type": "play"}))
            await ws.send(json.dumps({"type": "set_speed", "speed": 8}))
            start = time.monotonic()
            rest = []
            while True:
                m = await next_msg(ws)
                if m["type"] == "replay_completed":
                    break
                rest.append(m)
            left = 22 - 4 - len(held)
            assert len(rest) == left, (len(rest), left)
            # ~16 gaps of 100 ms at speed 8: about 0.2 s, far under the 1.6 s at speed 1.
            assert time.monotonic() - start < 1.2


async def seek_lands_after_the_state(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        # seq 2 climb(1), 3..7 poses, 8 climb(3), 9..13 poses, 14 climb(5)
        msgs = [climb(1)] + [pose(i) for i in range(5)] + [climb(3)] + \
               [pose(i) for i in range(5, 10)] + [climb(5)]
        await record(b, sid, msgs, gap=0.05)
        async with connect(b.replay_url(sid, paused=1)) as ws:
            info = await next_msg(ws)
            assert info["paused"] is True
            try:
                m = await next_msg(ws, 0.5)
                raise AssertionError(f"paused replay sent {m}")
            except asyncio.TimeoutError:
                pass
            await ws.send(json.dumps({"type": "seek", "seq": 9}))
            state = await next_msg(ws)
            assert state["type"] == "session_state" and state["seq"] == 8, state
            holds = state["session"]["climb_data"]["holds"]
            assert [h["status"] for h in holds].count("completed") == 3, holds
            assert len(state["pose"]) == 33
            await ws.send(json.dumps({"type": "play"}))
            first = await next_msg(ws)
            assert first["seq"] == 9 and first["type"] == "pose_updated", first
            # By offset: the first event at or after it.
            offsets = {}
            async with connect(b.replay_url(sid, speed=0)) as probe:
                _, events, _, _ = await read_replay(probe)
                offsets = {e["seq"]: e["offset_ms"] for e in events}
            target = offsets[8] - 1 if offsets[8] > offsets[7] else offsets[8]
            await ws.send(json.dumps({"type": "seek", "offset_ms": target}))
            while (m := await next_msg(ws))["type"] != "session_state":
                pass
            assert m["seq"] == 7, m
            assert (await next_msg(ws))["seq"] == 8
            # The old page's frame_number: the n-th pose frame (0-based).
            await ws.send(json.dumps({"type": "seek", "frame_number": 6}))
            while (m := await next_msg(ws))["type"] != "session_state":
                pass
            assert m["seq"] == 9, m
            assert (await next_msg(ws))["seq"] == 10
            # Past the end: the final state, then the end.
            await ws.send(json.dumps({"type": "seek", "seq": 10_000}))
            while (m := await next_msg(ws))["type"] != "session_state":
                pass
            assert m["seq"] == 14, m
            assert (await next_msg(ws)) == {"type": "replay_completed", "last_seq": 14}
            # And back to the start: everything again.
            await ws.send(json.dumps({"type": "seek", "seq": 1}))
            await ws.send(json.dumps({"type": "set_speed", "speed": 64}))
            m = await next_msg(ws)
            assert m["type"] == "session_state" and m["seq"] == 0, m
            seqs = []
            while (m := await next_msg(ws))["type"] != "replay_completed":
                seqs.append(m["seq"])
            assert seqs == list(range(1, 15))


async def from_seq_and_gap_cap(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as ws:
            await ws.recv()
            for i, gap in enumerate([0, 0.1, 1.5, 0.1]):
                await asyncio.sleep(gap)
                await ws.send(json.dumps({**pose(i), "id": f"g{i}"}))
                while json.loads(await ws.recv())["type"] != "ack":
                    pass
        async with connect(b.replay_url(sid, speed=0, max_gap_ms=200)) as ws:
            info, events, _, _ = await read_replay(ws)
            assert info["duration_ms"] <= 600, info  # the 1.5 s pause counts as 0.2 s
            offsets = [e["offset_ms"] for e in events]
            assert offsets[3] - offsets[2] <= 200, offsets
        async with connect(b.replay_url(sid, speed=0, from_seq=4)) as ws:
            info = await next_msg(ws)
            state = await next_msg(ws)
            assert state["type"] == "session_state" and state["seq"] == 3, state
            m = await next_msg(ws)
            assert m["seq"] == 4 and m["offset_ms"] >= 1500, m
            assert (await next_msg(ws))["seq"] == 5
            assert (await next_msg(ws))["type"] == "replay_completed"


async def follow_hands_over_to_live(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as pub:
            await pub.recv()
            sent = 0

            async def publish(n):
                nonlocal sent
                for _ in range(n):
                    await pub.send(json.dumps(pose(sent)))
                    sent += 1
                    await asyncio.sleep(0.002)

            await publish(300)
            async with connect(b.replay_url(sid, speed=0, follow=1)) as ws:
                info = await next_msg(ws)
                assert info["follow"] is True
                writer = asyncio.create_task(publish(700))
                seqs = []
                while len(seqs) < 1001:
                    m = await next_msg(ws)
                    if "seq" in m and m["type"] != "session_state":
                        seqs.append(m["seq"])
                await writer
                assert seqs == list(range(1, 1002)), "gap or duplicate at the handover"
                await pub.send(json.dumps({"type": "session_update", "status": "completed"}))
                m = await next_msg(ws)
                assert m["type"] == "session_updated" and m["seq"] == 1002, m
                assert await next_msg(ws) == {"type": "replay_completed", "last_seq": 1002}


async def large_session_at_speed_0(binary):
    with Belayd(binary, "--durability", "buffered", "--messages-per-second", "0") as b:
        sid = b.make_session()
        async with connect(b.url(sid)) as pub:
            await pub.recv()
            for i in range(20_000):
                await pub.send(json.dumps({"type": "pose_update", "pose": [{"x": 0.5, "y": 0.5}]}))
            while True:
                m = json.loads(await pub.recv())
                if m.get("seq") == 20_001:
                    break
        async with connect(b.replay_url(sid, speed=0)) as ws:
            info, events, _, end = await read_replay(ws, timeout=60)
            assert [e["seq"] for e in events] == list(range(1, 20_002))
            assert end["last_seq"] == 20_001


async def refusals(binary):
    with Belayd(binary) as b:
        sid = b.make_session()
        bob = b.make_user("bob")
        hidden = b.make_session(bob)
        unknown = "00000000-0000-4000-8000-000000000000"
        alice = b.make_user("alice")
        for url in (b.replay_url(unknown), b.replay_url(hidden, token=alice)):
            async with connect(url) as ws:
                m = await next_msg(ws)
                assert m["type"] == "error" and m["code"] == "session_not_found", m
                try:
                    await next_msg(ws)
                    raise AssertionError("not closed")
                except websockets.ConnectionClosed as e:
                    assert e.code == 4404, e.code
        for url, code in ((b.replay_url(sid, token="nope"), 4401),
                          (b.replay_url(sid, speed=100), 1008),
                          (b.replay_url(sid, speed="x"), 1008),
                          (b.replay_url(sid, from_seq=-1), 1008),
                          (b.replay_url(sid, paused="maybe"), 1008)):
            async with connect(url) as ws:
                try:
                    await next_msg(ws)
                    raise AssertionError(f"{url} was not closed")
                except websockets.ConnectionClosed as e:
                    assert e.code == code, (url, e.code)
        async with connect(b.replay_url(sid, paused=1)) as ws:
            await next_msg(ws)
            for bad, code in (("{", "invalid_json"), ("[]", "not_an_object"),
                              ('{"type":"fly"}', "unknown_type"),
                              ('{"type":"pose_update","pose":[]}', "unknown_type"),
                              ('{"type":"set_speed","speed":100}', "invalid_value"),
                              ('{"type":"set_speed"}', "missing_field"),
                              ('{"type":"seek"}', "missing_field"),
                              ('{"type":"seek","seq":"x"}', "wrong_type")):
                await ws.send(bad)
                m = await next_msg(ws)
                assert m["type"] == "error" and m["code"] == code, (bad, m)
            await ws.send(b"\x00binary")
            try:
                await next_msg(ws)
                raise AssertionError("binary frame accepted")
            except websockets.ConnectionClosed as e:
                assert e.code == 1003, e.code
        async with connect(b.replay_url(sid, paused=1)) as ws:
            await next_msg(ws)
            b.rest("DELETE", f"/api/sessions/{sid}/")
            await ws.send(json.dumps({"type": "play"}))
            try:
                while True:
                    await next_msg(ws)
            except websockets.ConnectionClosed as e:
                assert e.code == 4404, e.code

# Poses as clients spell them: stored packed where the packed form can hold
# them (engine/src/packed_pose.hpp), as JSON where it cannot; either way the
# text comes back as it was sent, less its whitespace.
SPELLINGS = [
    '{"x":0.50,"y":-0.000,"z":1.0,"visibility":1}',
    '{ "y" : 0.1234567890123456789 , "x" : 12 }',
    '{"visibility":0.9,"z":-0.5,"y":0.25,"x":0.125}',
    '{"x":1e-3,"y":2E+2}',
    '{"x":0.12345678901234567890,"y":0}',
    '{"x":-9007199254740993,"y":0.0000001}',
]


def pose_member(frame):
    """The raw text of a frame's "pose" array (numbers hold no brackets)."""
    start = frame.index('"pose":[') + len('"pose":')
    depth = 0
    for i in range(start, len(frame)):
        depth += {"[": 1, "]": -1}.get(frame[i], 0)
        if depth == 0:
            return frame[start:i + 1]
    raise AssertionError(frame)


async def pose_text_survives_storage(binary):
    poses = [f"[{s}]" for s in SPELLINGS] + ["[" + ",".join(SPELLINGS[:3] * 11) + "]"]
    expected = ["".join(p.split()) for p in poses]
    with tempfile.TemporaryDirectory(prefix="belay-live-") as data:
        with Belayd(binary, data_dir=data) as b:
            sid = b.make_session()
            async with connect(b.url(sid)) as ws:
                assert json.loads(await ws.recv())["type"] == "session_state"
                for i, p in enumerate(poses):
                    await ws.send(f'{{"type": "pose_update", "id": "t{i}", "pose": {p}}}')
                    while json.loads(await ws.recv())["type"] != "ack":
                        pass
        with Belayd(binary, data_dir=data) as b:  # read back from disk
            async with connect(b.replay_url(sid, speed=0)) as ws:
                frames = []
                while True:
                    frame = await asyncio.wait_for(ws.recv(), 10)
                    if json.loads(frame)["type"] == "replay_completed":
                        break
                    if '"pose_updated"' in frame:
                        frames.append(frame)
            assert [pose_member(f) for f in frames] == expected


TESTS = {f.__name__: f for f in [
    pacing_at_speed_1_and_4, pause_play_and_speed_change, seek_lands_after_the_state,
    from_seq_and_gap_cap, follow_hands_over_to_live, large_session_at_speed_0, refusals,
    pose_text_survives_storage]}

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
