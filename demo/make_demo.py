#!/usr/bin/env python3
"""Writes demo/demo-session.jsonl: one short climbing session as an exported
event log (belay inspect import reads it). Deterministic: same file each run.

usage: make_demo.py > demo/demo-session.jsonl
"""
import json
import math

STREAM = "5d6c8a1e-3b7f-4c2a-9e41-7a0b2c9d1f35"
T0 = 1760895877187000  # 2025-10-19T17:44:37.187Z in µs
HOLDS = [("17", "start"), ("23", "normal"), ("41", "normal"), ("56", "normal"),
         ("72", "normal"), ("88", "normal"), ("95", "normal"), ("133", "finish")]


def ts(us):
    import datetime
    d = datetime.datetime.fromtimestamp(us / 1e6, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{(us // 1000) % 1000:03d}Z"


events = []


def add(kind, us, payload, client_id=None):
    e = {"position": len(events) + 1, "stream": STREAM, "seq": len(events) + 1,
         "type": kind, "time": ts(us), "recv_time_us": us, "author": "admin"}
    if client_id:
        e["client_id"] = client_id
    e["payload"] = payload
    events.append(e)


def climb(done, us, status):
    holds = []
    for i, (hid, htype) in enumerate(HOLDS):
        finished = i < done
        holds.append({"id": hid, "type": htype,
                      "status": "completed" if finished else "untouched",
                      "time": ts(T0 + 1_000_000 * (i + 1)) if finished else None})
    return {"climb": {"holds": holds, "startTime": ts(T0), "endTime": ts(us) if status == "completed" else None,
                      "status": status}}


def pose(frame):
    height = frame / 40.0
    marks = []
    for i in range(33):
        angle = i * 0.19 + frame * 0.3
        marks.append({"x": round(0.5 + 0.15 * math.sin(angle), 4),
                      "y": round(0.9 - 0.6 * height - 0.01 * i, 4),
                      "z": round(-0.1 * math.cos(angle), 4),
                      "visibility": round(0.8 + 0.2 * abs(math.sin(i)), 3)})
    return {"pose": marks}


add("session_updated", T0, {"status": "started", "start_time": ts(T0)}, "rig-1")
frame = 0
for step in range(len(HOLDS)):
    us = T0 + 1_000_000 * (step + 1)
    for _ in range(5):
        frame += 1
        add("pose_updated", T0 + frame * 200_000, pose(frame), f"rig-p{frame}")
    add("climb_updated", us + 1000, climb(step + 1, us, "started"), f"rig-c{step}")
end = T0 + 1_000_000 * (len(HOLDS) + 1)
add("climb_updated", end, climb(len(HOLDS), end, "completed"), "rig-c-end")
add("session_updated", end + 1000, {"status": "completed", "end_time": ts(end)}, "rig-end")

for e in events:
    print(json.dumps(e, separators=(",", ":")))
