"""The feeds sitrep follows, in Redis: shared by the API, `sitrep feeds` and the pollers.

A feed is a hash `sitrep:feed:{id}` (its settings as JSON in `feed`, and how its polling goes), listed
in `sitrep:feeds` and scheduled in `sitrep:feeds:due` (scored by when it is next due, in ms). Its id is
derived from its URL, so the same feed cannot be followed twice. Removing a feed removes its schedule
and what it remembers; a poll running at that moment finds it gone and writes nothing back.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

import orjson
import redis

from core import defaults, keys
from core.errors import FeedExists, KeyLimitReached
from schemas.feeds import Feed, FeedIn, FeedPage


def feed_id(url: str) -> str:
    """Stable for one URL: `f-` and 16 hex digits of its hash."""
    return "f-" + hashlib.sha256(url.strip().encode()).hexdigest()[:16]


def _now_ms(connection: redis.Redis) -> int:
    seconds, micros = connection.time()
    return int(seconds) * 1000 + int(micros) // 1000


def _moment(millis: Any) -> datetime | None:
    if millis is None or millis in (b"", ""):
        return None
    return datetime.fromtimestamp(int(millis) / 1000, UTC)


def add(connection: redis.Redis, spec: FeedIn, max_feeds: int = defaults.FEEDS_MAX) -> Feed:
    """Follow a feed; it is first polled within a few seconds (spread out so a batch of adds does not
    fetch at once). Raises FeedExists for a URL followed already, KeyLimitReached past `max_feeds`."""
    url = str(spec.url)
    identifier = feed_id(url)
    if int(connection.zcard(keys.FEEDS_INDEX)) >= max_feeds:
        raise KeyLimitReached(f"{max_feeds} feeds are followed already; remove some first")
    now = _now_ms(connection)
    settings = {"url": url, "every_seconds": spec.every_seconds, "source": spec.source, "created_ms": now}
    if not connection.hsetnx(keys.feed(identifier), "feed", orjson.dumps(settings)):
        raise FeedExists(f"{url} is followed already (feed {identifier})")
    first_due = now + int(random.uniform(0, min(spec.every_seconds, 5)) * 1000)
    with connection.pipeline(transaction=True) as pipe:
        pipe.zadd(keys.FEEDS_INDEX, {identifier: 0})
        pipe.zadd(keys.FEEDS_DUE, {identifier: first_due})
        pipe.execute()
    found = get(connection, identifier)
    assert found is not None
    return found


def _feed(identifier: str, fields: dict[bytes, bytes], due_ms: float | None) -> Feed:
    settings = orjson.loads(fields[b"feed"])

    def number(name: str) -> int:
        value = fields.get(name.encode())
        return int(value) if value else 0

    status = fields.get(b"last_status")
    error = fields.get(b"last_error")
    return Feed(
        id=identifier,
        url=settings["url"],
        every_seconds=settings["every_seconds"],
        source=settings.get("source"),
        created_at=datetime.fromtimestamp(settings["created_ms"] / 1000, UTC),
        next_poll_at=_moment(int(due_ms)) if due_ms is not None else None,
        last_polled_at=_moment(fields.get(b"last_polled_ms")),
        last_ok_at=_moment(fields.get(b"last_ok_ms")),
        last_status=int(status) if status else None,
        last_error=error.decode() if error else None,
        consecutive_failures=number("failures"),
        items_posted=number("posted"),
    )


def get(connection: redis.Redis, identifier: str) -> Feed | None:
    with connection.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.feed(identifier))
        pipe.zscore(keys.FEEDS_DUE, identifier)
        fields, due = pipe.execute()
    if not fields or b"feed" not in fields:
        return None
    return _feed(identifier, fields, due)


def settings_of(connection: redis.Redis, identifier: str) -> dict[str, Any] | None:
    """The feed's settings and polling state as stored (the poller's view); None if it was removed."""
    fields: Any = connection.hgetall(keys.feed(identifier))
    if not fields or b"feed" not in fields:
        return None
    state: dict[str, Any] = {key.decode(): value.decode() for key, value in fields.items() if key != b"feed"}
    return {**orjson.loads(fields[b"feed"]), "id": identifier, "state": state}


def page(connection: redis.Redis, after: str | None = None, limit: int = 100) -> FeedPage:
    """Up to `limit` feeds in id order, after the id `after`."""
    start = f"({after}" if after else "-"
    raw: Any = connection.zrangebylex(keys.FEEDS_INDEX, start, "+", start=0, num=limit + 1)
    identifiers = [value.decode() for value in raw]
    more = len(identifiers) > limit
    identifiers = identifiers[:limit]
    with connection.pipeline(transaction=False) as pipe:
        for identifier in identifiers:
            pipe.hgetall(keys.feed(identifier))
            pipe.zscore(keys.FEEDS_DUE, identifier)
        replies = pipe.execute()
    feeds = [
        _feed(identifier, replies[2 * n], replies[2 * n + 1])
        for n, identifier in enumerate(identifiers)
        if replies[2 * n] and b"feed" in replies[2 * n]
    ]
    return FeedPage(feeds=feeds, next_after=identifiers[-1] if more and identifiers else None)


def remove(connection: redis.Redis, identifier: str) -> bool:
    """Stop following a feed and forget what it posted; False if there was none."""
    with connection.pipeline(transaction=True) as pipe:
        pipe.zrem(keys.FEEDS_INDEX, identifier)
        pipe.zrem(keys.FEEDS_DUE, identifier)
        pipe.delete(keys.feed(identifier), keys.feed_seen(identifier), keys.feed_lease(identifier))
        removed, _, _ = pipe.execute()
    return bool(removed)
