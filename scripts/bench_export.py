"""The streamed exports: events per second and the API's peak Python memory, for two store sizes.

Fills its own redis-server with canonical events through the merge script (scripts/bench.py's
`_prefill`), then drives the ASGI app directly, dropping the body as it is sent, so the peak memory
(tracemalloc) is the app's own and not a client's copy of the body. Paging `GET /v1/events` with
`limit=1000` is the reference in the same run. Constant memory shows as the same peak at both sizes.

    .venv/bin/python scripts/bench_export.py [--sizes 5000 40000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import orjson  # noqa: E402
import redis  # noqa: E402
from bench import _prefill  # noqa: E402

from core import keys  # noqa: E402
from core.embedded_redis import scratch_redis  # noqa: E402
from core.settings import IngestSettings  # noqa: E402
from services.api.app import create_app  # noqa: E402


async def _get(app: Any, path: str, query: str) -> tuple[int, bytes]:
    """One GET through the ASGI app: (bytes of body sent, the last body chunk)."""
    sent, last = 0, b""

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # no body, and the client never leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal sent, last
        if message["type"] == "http.response.body" and message.get("body"):
            sent += len(message["body"])
            last = message["body"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    await app(scope, receive, send)
    return sent, last


async def _pages(app: Any, query: str = "") -> tuple[int, int]:
    """(events found, pages read) paging through `GET /v1/events?limit=1000&query`."""
    cursor, total, pages = "", 0, 0
    while True:
        _, body = await _get(app, "/v1/events", f"limit=1000{query}{cursor}")
        page = orjson.loads(body)
        total += len(page["events"])
        pages += 1
        if not page["has_more"]:
            return total, pages
        cursor = "&cursor=" + page["next_cursor"]


async def measure(redis_url: str, events: int) -> None:
    app = create_app(IngestSettings(redis_url=redis_url))
    async with app.router.lifespan_context(app):
        start = time.perf_counter()
        paged, _ = await _pages(app)
        page_seconds = time.perf_counter() - start
        print(f"  {events:,} events: pages of 1,000 (reference): {paged / page_seconds:,.0f} events/s")
        start = time.perf_counter()
        found, pages = await _pages(app, "&kind=attack")  # the store holds control changes only
        seconds = time.perf_counter() - start
        print(
            f"  {events:,} events: a filter that matches none: {found} found in {pages} pages,"
            f" {seconds / pages * 1000:,.0f} ms a page, {events / seconds:,.0f} events read/s"
        )
        for suffix in ("csv", "geojson", "jsonl"):
            tracemalloc.start()
            start = time.perf_counter()
            sent, _ = await _get(app, f"/v1/events.{suffix}", "")
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"  {events:,} events: .{suffix}: {events / seconds:,.0f} events/s ({events / seconds / (paged / page_seconds):.2f}"
                f" of paging), {sent / 1e6:,.1f} MB sent, peak Python memory {peak / 1e6:,.2f} MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 40000])
    args = parser.parse_args()
    with scratch_redis() as server:
        client = redis.Redis.from_url(server.url)
        for size in args.sizes:
            _prefill(client, size)
            asyncio.run(measure(server.url, client.zcard(keys.EVENTS_BY_SEQUENCE)))


if __name__ == "__main__":
    main()
