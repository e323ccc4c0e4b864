"""Trimming `sitrep:events` and the alert log without dropping what a consumer group has not read.

The length (and age) rules say what may go; the script stops the cut at each group's oldest pending entry
or, with none pending, at its last-delivered id. A group that stops reading therefore holds the stream's
length: the writers log it, and `/metrics` shows each group's lag (docs/reliability.md, "Streams").
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis

from core import lua

log = logging.getLogger(__name__)

_TRIM_LUA = lua.source("core", "trim_stream.lua")

TRIM_LOOK_AHEAD = 10_000
"""Entries one call may remove by the length rule (the script reads them): about 30 ms of Redis for 1 KB
entries, where 100,000 blocked it for ~300 ms; a stream far over its length comes back over a few calls."""

HELD_WARNING_SECONDS = 60.0
"""A stream held over its length by a lagging group is logged at most this often per process."""


@dataclass(frozen=True)
class TrimResult:
    removed: int
    held: bool
    """A consumer group's unread or unacknowledged entries stopped the cut."""
    length: int


class StreamTrimmer:
    """Trims one stream at most every `every_seconds` (callers call `maybe_trim` after each write)."""

    def __init__(
        self, connection: redis.Redis, stream: str, maxlen: int, every_seconds: float = 1.0, max_age_seconds: int = 0
    ) -> None:
        self.connection = connection
        self._script = connection.register_script(_TRIM_LUA)
        self.stream = stream
        self.maxlen = maxlen
        self.max_age_seconds = max_age_seconds
        self._every = every_seconds
        self._last = float("-inf")
        self._warned = float("-inf")

    def maybe_trim(self) -> TrimResult | None:
        """`trim` if the last one was at least `every_seconds` ago."""
        now = time.monotonic()
        if now - self._last < self._every:
            return None
        self._last = now
        return self.trim()

    def trim(self) -> TrimResult:
        """Remove what the length and age rules let go, and no entry a consumer group still needs."""
        age_id = ""
        if self.max_age_seconds > 0:
            seconds, micros = self.connection.time()
            age_id = f"{max(seconds * 1000 + micros // 1000 - self.max_age_seconds * 1000, 0)}-0"
        removed, held, length = self._script(keys=[self.stream], args=[self.maxlen, age_id, TRIM_LOOK_AHEAD])
        result = TrimResult(int(removed), bool(held), int(length))
        over = self.maxlen > 0 and result.length > self.maxlen * 1.1
        if result.held and over and time.monotonic() - self._warned >= HELD_WARNING_SECONDS:
            self._warned = time.monotonic()
            log.warning(
                "%s holds %d entries (trim length %d): a consumer group has not read or acknowledged the rest;"
                " nothing unread is dropped, so it grows until that group catches up",
                self.stream,
                result.length,
                self.maxlen,
            )
        return result
