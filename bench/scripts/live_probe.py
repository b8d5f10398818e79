#!/usr/bin/python3
"""Live-socket figures until belay-bench has its network scenarios:
publish→deliver latency with N subscribers at a set rate, and belayd's memory
per idle live connection. Starts its own belayd (buffered or sync).

usage: /usr/bin/python3 bench/scripts/live_probe.py BELAYD latency --subscribers 100 --rate 1000 --seconds 10
       /usr/bin/python3 bench/scripts/live_probe.py BELAYD idle --connections 10000
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "live"))
from harness import Belayd, connect  # noqa: E402


def landmarks(t):
    # 33 landmarks; the send time rides in an extra field (kept by the server).
    return [{"x": 0.5, "y": 0.5, "z": 0.1, "visibility": 0.9, "t": t}] + \
           [{"x": 0.5, "y": 0.5, "z": 0.1, "visibility": 0.9}] * 32


def subscriber_process(url, count, expected, queue):
    async def main():
        socks = [await connect(url) for _ in range(count)]
        for s in socks:
            await s.recv()  # session_state
        queue.put("ready")
        lat = []

        async def read(s):
            got = 0
            while got < expected:
                m = json.loads(await asyncio.wait_for(s.recv(), 60))
                if m["type"] == "pose_updated":
                    lat.append(time.time() - m["pose"][0]["t"])
                    got += 1
            return got
        counts = await asyncio.gather(*(read(s) for s in socks))
        queue.put((lat, sum(counts)))
    asyncio.run(main())


async def publish(url, rate, seconds):
    async with connect(url) as ws:
        await ws.recv()
        n = int(rate * seconds)
        start = time.time()
        for i in range(n):
            target = start + i / rate
            delay = target - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(json.dumps({"type": "pose_update", "pose": landmarks(time.time())}))
        return n


def latency(b, args):
    sid = b.make_session()
    url = b.url(sid)
    per = max(1, args.subscribers // args.processes)
    sizes = [per] * (args.subscribers // per) + ([args.subscribers % per] if args.subscribers % per else [])
    expected = int(args.rate * args.seconds)
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=subscriber_process, args=(url, k, expected, queue))
             for k in sizes]
    for p in procs:
        p.start()
    for _ in procs:
        assert queue.get(timeout=120) == "ready"
    asyncio.run(publish(url, args.rate, args.seconds))
    lat, delivered = [], 0
    for _ in procs:
        part, n = queue.get(timeout=300)
        lat += part
        delivered += n
    for p in procs:
        p.join()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
    print(json.dumps({"scenario": "live_latency", "subscribers": args.subscribers,
                      "rate": args.rate, "seconds": args.seconds, "durability": args.durability,
                      "deliveries": delivered, "expected": expected * args.subscribers,
                      "p50_ms": round(q(0.5), 2), "p99_ms": round(q(0.99), 2),
                      "max_ms": round(lat[-1] * 1000, 2)}))


async def idle(b, args):
    sid = b.make_session()
    url = b.url(sid)
    before = b.rss_kib()
    socks = []
    for i in range(args.connections):
        socks.append(await connect(url))
        await socks[-1].recv()
    await asyncio.sleep(2)
    after = b.rss_kib()
    print(json.dumps({"scenario": "live_idle", "connections": len(socks), "rss_before_kib": before,
                      "rss_after_kib": after,
                      "kib_per_connection": round((after - before) / len(socks), 2)}))
    for s in socks:
        await s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("belayd")
    ap.add_argument("what", choices=["latency", "idle"])
    ap.add_argument("--subscribers", type=int, default=1)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--durability", default="sync")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with Belayd(args.belayd, "--durability", args.durability, "--max-connections-per-user", "0",
                "--max-connections", "100000") as b:
        if args.what == "latency":
            latency(b, args)
        else:
            asyncio.run(idle(b, args))


if __name__ == "__main__":
    main()
