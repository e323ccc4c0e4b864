"""The one factory for Redis clients: every component receives its connection from here or a caller."""

from __future__ import annotations

import redis
import redis.asyncio

from core.errors import RedisUrlMissing


def _require(url: str | None) -> str:
    if not url:
        raise RedisUrlMissing(
            "REDIS_URL is not set. Set it (for example redis://127.0.0.1:6379/0), "
            "or use `sitrep run`, which starts an embedded Redis."
        )
    return url


def sync_client(url: str | None, socket_timeout: float | None = None) -> redis.Redis:
    """A blocking client (RQ, workers, notifier, CLI).

    A reply that never comes (a partition, a host gone without a reset) raises after `socket_timeout`
    seconds; None keeps redis-py's default (5 s in redis-py 8, which it lengthens for blocked reads), and
    RQ raises its worker's own above its dequeue timeout.
    """
    extra = {} if socket_timeout is None else {"socket_timeout": socket_timeout}
    return redis.Redis.from_url(_require(url), health_check_interval=30, **extra)


ASYNC_POOL_CONNECTIONS = 100
"""Connections an API process may hold; redis-py 8's default too."""

ASYNC_POOL_WAIT_SECONDS = 10.0


def async_client(url: str | None, socket_timeout: float | None = None) -> redis.asyncio.Redis:
    """An asyncio client (the ingest API).

    Its pool waits up to ASYNC_POOL_WAIT_SECONDS for a free connection when all are in use, where
    redis-py's plain pool fails at once ("Too many connections"): a burst of requests, such as
    hundreds of SSE clients reconnecting together, queues briefly instead of getting 503s.
    A client for blocked reads passes a `socket_timeout` longer than its block (redis-py's 5 s default
    would cut a 5 s XREAD BLOCK).
    """
    extra = {} if socket_timeout is None else {"socket_timeout": socket_timeout}
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        _require(url),
        max_connections=ASYNC_POOL_CONNECTIONS,
        timeout=ASYNC_POOL_WAIT_SECONDS,
        health_check_interval=30,
        **extra,
    )
    return redis.asyncio.Redis.from_pool(pool)  # owns the pool: aclose() closes its connections
