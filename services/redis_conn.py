"""The one factory for Redis clients: every component receives its connection from here or a caller."""

from __future__ import annotations

import redis
import redis.asyncio


class RedisNotConfigured(RuntimeError):
    """No REDIS_URL was given to a command that cannot start its own Redis."""


def _require(url: str | None) -> str:
    if not url:
        raise RedisNotConfigured(
            "REDIS_URL is not set. Set it (for example redis://127.0.0.1:6379/0), "
            "or use `sitrep run`, which starts an embedded Redis."
        )
    return url


def sync_client(url: str | None) -> redis.Redis:
    """A blocking client (RQ, workers, notifier, CLI)."""
    return redis.Redis.from_url(_require(url), health_check_interval=30)


def async_client(url: str | None) -> redis.asyncio.Redis:
    """An asyncio client (the ingest API)."""
    return redis.asyncio.Redis.from_url(_require(url), health_check_interval=30)
