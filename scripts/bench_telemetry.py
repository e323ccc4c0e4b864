"""What telemetry adds per report on the worker's path, measured apart from the rest (docs/telemetry.md).

Worker CPU: the code `workers/processing.py` runs per report for metrics and logs (timing, the bound
report id, one histogram observation, a count per event, a tally taken per chunk of 25), against the
same loop without it. Redis CPU: the HINCRBY commands of a chunk, sent to an embedded Redis. API CPU:
an ASGI call through the request middleware (`services/api/request_telemetry.py`) against a bare one.

Usage: python scripts/bench_telemetry.py [--reports N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from core import logs, metrics  # noqa: E402
from core.embedded_redis import EmbeddedRedis  # noqa: E402
from core.metrics import Tally  # noqa: E402

KINDS = ("control_change", "attack", "civilian_count")
CHUNK = 25


def worker_side(count: int) -> tuple[float, float]:
    """Seconds per report of the loop with telemetry, and of the bare loop."""
    log = logging.getLogger("workers.processing")
    tally = Tally()
    ids = [f"r-{i}" for i in range(count)]
    start = time.perf_counter()
    for i, report_id in enumerate(ids):
        began = time.perf_counter()
        with logs.bound(report_id=report_id):
            seconds = time.perf_counter() - began
            if log.isEnabledFor(logging.DEBUG):
                log.debug("report extracted")
        tally.observe(metrics.EXTRACTION_DURATION, seconds)
        for kind in KINDS[: 1 + i % 3]:
            tally.add(metrics.EVENTS_EXTRACTED, kind)
        if i % CHUNK == 0:
            tally.add(metrics.REPORTS_PROCESSED, "done", amount=CHUNK)
            tally.take()
    with_telemetry = (time.perf_counter() - start) / count
    start = time.perf_counter()
    for i, report_id in enumerate(ids):
        for _kind in KINDS[: 1 + i % 3]:
            pass
        if i % CHUNK == 0:
            _ = report_id
    bare = (time.perf_counter() - start) / count
    return with_telemetry, bare


def redis_side(count: int) -> tuple[float, int]:
    """Redis CPU seconds per report for the increments, and the commands per chunk."""
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedRedis(data_dir=Path(folder), persistent=False)
        server.start()
        try:
            client = redis.Redis.from_url(server.url)
            tally = Tally()
            rng = random.Random(7)

            def cpu() -> float:
                info = client.info("cpu")
                return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

            before = cpu()
            commands = 0
            for _ in range(count // CHUNK):
                for _ in range(CHUNK):
                    tally.observe(metrics.EXTRACTION_DURATION, rng.random() / 200)
                    tally.add(metrics.EVENTS_EXTRACTED, rng.choice(KINDS))
                tally.add(metrics.REPORTS_PROCESSED, "done", amount=CHUNK)
                taken = tally.take()
                commands = len(taken)
                with client.pipeline(transaction=False) as pipe:
                    for command in taken:
                        pipe.execute_command(*command)
                    pipe.execute()
            return (cpu() - before) / count, commands
        finally:
            server.stop()


def api_side(count: int) -> tuple[float, float]:
    """Seconds per request of an ASGI app answering 202, through the request middleware and bare."""
    from fastapi import FastAPI
    from starlette.routing import Route
    from starlette.types import Message, Receive, Scope, Send

    from services.api.metrics import IngestMetrics
    from services.api.request_telemetry import RequestTelemetry

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def sink(message: Message) -> None:
        return None

    async def nothing() -> Message:
        return {"type": "http.request", "body": b""}

    owner = FastAPI()
    owner.state.metrics = IngestMetrics()
    route = Route("/v1/reports", answer, methods=["POST"])
    wrapped = RequestTelemetry(answer, owner)

    async def per_request(app: Any) -> float:
        start = time.perf_counter()
        for _ in range(count):
            scope = {"type": "http", "method": "POST", "path": "/v1/reports", "headers": [], "route": route}
            await app(scope, nothing, sink)
        return (time.perf_counter() - start) / count

    async def both() -> tuple[float, float]:
        return await per_request(wrapped), await per_request(answer)

    return asyncio.run(both())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    count = parser.parse_args().reports
    with_telemetry, bare = worker_side(count)
    print(f"worker CPU per report: {with_telemetry * 1e6:.2f} µs with telemetry, {bare * 1e6:.2f} µs without")
    per_report, commands = redis_side(min(count, 100_000))
    print(f"Redis CPU per report for the increments: {per_report * 1e6:.2f} µs ({commands} commands per chunk)")
    through, bare_call = api_side(min(count, 50_000))
    print(f"API CPU per request: {through * 1e6:.2f} µs through the middleware, {bare_call * 1e6:.2f} µs bare")


if __name__ == "__main__":
    main()
