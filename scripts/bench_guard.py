"""What the access guard (services/api/access.py) costs a request: the guard around a route that does
nothing, against that route alone, in one run; open (no key exists), with a key, and with a key whose rate
limit is checked (one script call per 10 requests, as at the default rate; nothing refused). CPU time of
this process: a Redis round trip's wait is not counted, a server serves other requests meanwhile.

    .venv/bin/python scripts/bench_guard.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import redis
import redis.asyncio

from core import api_keys
from core.embedded_redis import EmbeddedRedis
from core.rate_limit import RateLimiter
from core.settings import IngestSettings
from services.api import access
from services.api.app import create_app

ROUNDS = 5
REQUESTS = 50_000


class _DefaultLeases(RateLimiter):
    """Never refuses, and draws 10 tokens at a time, as for a key at the default 100 requests a second."""

    def lease_size(self, rate: float) -> int:
        return 10


async def _route(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 202, "headers": []})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"{}", "more_body": False}


async def _send(message: Any) -> None:
    pass


async def _per_request(app: Any, headers: list[tuple[bytes, bytes]], state: Any) -> float:
    """Microseconds of this process's CPU per POST /v1/reports through `app` (a Redis round trip's wait is not
    counted: a server serves other requests meanwhile)."""

    def scope() -> dict[str, Any]:
        return {"type": "http", "method": "POST", "path": "/v1/reports", "headers": headers, "app": state}

    for _ in range(1000):
        await app(scope(), _receive, _send)
    started = time.process_time()
    for _ in range(REQUESTS):
        await app(scope(), _receive, _send)
    return (time.process_time() - started) / REQUESTS * 1e6


async def _main(url: str) -> None:
    app = create_app(IngestSettings(redis_url=url))
    (middleware,) = [item for item in app.user_middleware if item.cls is access.Guard]
    state = SimpleNamespace(state=SimpleNamespace(redis=redis.asyncio.Redis.from_url(url)))
    guard = access.Guard(_route, middleware.kwargs["entries"], access.Authenticator(allow_open=True))
    plain = [(b"content-type", b"application/json"), (b"host", b"127.0.0.1:8000")]
    limited = access.Guard(
        _route,
        middleware.kwargs["entries"],
        access.Authenticator(allow_open=True),
        _DefaultLeases(default_rate=1e9, burst_seconds=1.0),
    )
    rows: dict[str, list[float]] = {
        "route alone": [],
        "guard, open": [],
        "guard, with a key": [],
        "guard, key, rate limit": [],
    }
    key = api_keys.create(redis.Redis.from_url(url), api_keys.ApiKeyIn(name="bench", scopes=["ingest"])).key
    keyed = [*plain, (b"authorization", f"Bearer {key}".encode())]
    for _ in range(ROUNDS):  # interleaved, so a noisy neighbour hits every row alike
        rows["route alone"].append(await _per_request(_route, plain, state))
        open_guard = access.Guard(_route, middleware.kwargs["entries"], access.Authenticator(allow_open=True))
        open_guard.auth._any_key = (False, time.monotonic() + 3600)  # as if no key existed
        rows["guard, open"].append(await _per_request(open_guard, plain, state))
        rows["guard, with a key"].append(await _per_request(guard, keyed, state))
        rows["guard, key, rate limit"].append(await _per_request(limited, keyed, state))
    for name, values in rows.items():
        values.sort()
        print(
            f"{name:22s} median {values[len(values) // 2]:6.2f} us/request  (runs {', '.join(f'{v:.2f}' for v in values)})"
        )


def main() -> None:
    server = EmbeddedRedis(data_dir=Path(tempfile.mkdtemp()), persistent=False)
    try:
        asyncio.run(_main(server.start()))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
