#!/usr/bin/env python3
"""The notifier alone, on its own embedded Redis: XADD-to-alert latency and events/s drained.

Usage: python scripts/bench_notifier.py [--events N] [--group-wait S]
Latency: one `sitrep notifier` process (group wait 0), one event at a time, time from XADD to the
alert on the pub/sub channel. Throughput: an in-process notifier draining N events already in the
stream (half control changes, half civilian counts, 50 places).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
import redis  # noqa: E402

from core import keys  # noqa: E402
from core.embedded_redis import EmbeddedRedis  # noqa: E402
from core.settings import NotifierSettings  # noqa: E402
from services.notifier.consumer import Notifier  # noqa: E402

ACTORS = [("sdf", "SDF"), ("islamic-state", "Islamic State"), ("syrian-government", "Syrian government forces")]


def entry(i: int, places: int, control: bool, published: str) -> dict[str, Any]:
    place = {"id": f"place-{i % places}", "name": f"Place {i % places}", "country": "Syria"}
    event: dict[str, Any] = {
        "id": f"e{i}",
        "kind": "control_change" if control else "civilian_count",
        "place": place,
        "evidence": {"start": 0, "end": 1, "text": "x", "sentence": "x"},
        "confidence": 0.7,
    }
    if control:
        actor_id, name = ACTORS[(i // places) % 3]
        event["actor"] = {"id": actor_id, "name": name}
    else:
        event.update(category="killed", count={"min": 3, "max": 3})
    return {"event": orjson.dumps(event), "report_id": f"r{i}", "source": "bench", "published_at": published}


def latency(url: str, count: int) -> None:
    client = redis.Redis.from_url(url)
    env = {**os.environ, "REDIS_URL": url, "PYTHONPATH": str(ROOT), "SITREP_GROUP_WAIT_SECONDS": "0"}
    env["SITREP_LOG_LEVEL"] = "WARNING"
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "notifier"], env=env)
    pubsub = client.pubsub()
    pubsub.subscribe(keys.ALERTS_CHANNEL)
    pubsub.get_message(timeout=5)
    while not client.get(keys.NOTIFIER_LEADER):
        time.sleep(0.05)
    samples = []
    for i in range(count):
        # Each event names another holder of its place; one that is older than the present stays quiet.
        published = f"2017-01-{1 + i // 100:02d}T{(i // 4) % 24:02d}:{i % 60:02d}:00Z"
        start = time.perf_counter()
        client.xadd(keys.EVENTS_STREAM, entry(i, 4, True, published))  # type: ignore[arg-type]
        if pubsub.get_message(ignore_subscribe_messages=True, timeout=10) is None:
            continue
        samples.append((time.perf_counter() - start) * 1000)
        while pubsub.get_message(ignore_subscribe_messages=True, timeout=0.005):
            pass  # the superseded notice that follows
    process.terminate()
    process.wait()
    samples.sort()
    print(
        f"XADD-to-alert, group wait 0: {len(samples)} alerts, p50 {statistics.median(samples):.2f} ms, "
        f"p99 {samples[int(len(samples) * 0.99) - 1]:.2f} ms"
    )


def throughput(url: str, count: int, group_wait: float) -> None:
    client = redis.Redis.from_url(url)
    client.flushall()
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        published = f"2017-01-{1 + i * 28 // count:02d}T10:00:00+00:00"
        pipe.xadd(keys.EVENTS_STREAM, entry(i, 50, bool(i % 2), published))  # type: ignore[arg-type]
    pipe.execute()
    settings = NotifierSettings(redis_url=url, consumer_name="bench", group_wait_seconds=group_wait)
    notifier = Notifier(redis.Redis.from_url(url), settings)
    notifier.ensure_group()
    notifier.hold_lease()
    start = time.perf_counter()
    while notifier.step(block_milliseconds=None):
        pass
    elapsed = time.perf_counter() - start
    print(
        f"drain, group wait {group_wait:g}: {count} events in {elapsed:.2f} s = {count / elapsed:,.0f} events/s "
        f"({client.xlen(keys.ALERTS_STREAM)} alerts)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--group-wait", type=float, default=0.0)
    args = parser.parse_args()
    server = EmbeddedRedis(data_dir=Path(tempfile.mkdtemp()), persistent=False)
    server.start()
    try:
        latency(server.url, 300)
        throughput(server.url, args.events, args.group_wait)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
