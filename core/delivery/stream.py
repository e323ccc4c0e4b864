"""The alert log as delivery reads it: stream ids, where to start, and how the log is trimmed."""

from __future__ import annotations

import re
import time
from typing import Any

import redis

from core import keys

_STREAM_ID = re.compile(r"^\d{1,20}(-\d{1,20})?$")
LAST_STREAM_PART = 2**64 - 1
"""The largest millisecond or sequence part of a stream id."""


def valid_stream_id(value: str) -> bool:
    """`1700000000000-0`, `1700000000000` or `0`: what XREAD accepts as a position (two unsigned
    64-bit numbers; a larger one is the caller's mistake, which Redis would answer with an error)."""
    return bool(_STREAM_ID.match(value)) and all(int(part) <= LAST_STREAM_PART for part in value.split("-"))


def parse_id(stream_id: str | bytes) -> tuple[int, int]:
    """`ms-seq` (or `ms`) as a pair that compares the way Redis orders entries."""
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    millis, _, sequence = text.partition("-")
    return int(millis), int(sequence or 0)


def entry_millis(stream_id: str | bytes) -> int:
    """The Redis server time (ms) at which an entry was added, read from its id."""
    text = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    return int(text.split("-", 1)[0])


def trim_kwargs(
    maxlen: int, max_age_seconds: int = 0, now_ms: int | None = None, approximate: bool = True
) -> dict[str, Any]:
    """Keyword arguments for redis-py's `xadd`/`xtrim` that trim the alert log: by age when
    `max_age_seconds` is set, else by length. Approximate (`~`) by default, which trims whole macro
    nodes only and so costs next to nothing on every XADD."""
    if max_age_seconds > 0:
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        return {"minid": f"{max(now - max_age_seconds * 1000, 0)}-0", "approximate": approximate}
    return {"maxlen": maxlen, "approximate": approximate}


def trim_alerts_log(connection: redis.Redis, maxlen: int, max_age_seconds: int) -> int:
    """Apply the age trim (the notifier's XADD already applies the length trim); entries removed.
    Exact, not `~`: it runs once a minute, and "older than" should mean what it says."""
    if max_age_seconds <= 0:
        return 0
    seconds, micros = connection.time()
    now_ms = seconds * 1000 + micros // 1000
    removed: int = connection.xtrim(keys.ALERTS_STREAM, **trim_kwargs(maxlen, max_age_seconds, now_ms, False))
    return removed
