"""Admission control: the ingest refuses work (503, `Retry-After`) while too many reports wait or Redis is
near its maxmemory, and readiness (/healthz) turns false with it, before Redis itself refuses writes.

The reading (the backlog counter and INFO memory, one pipelined round trip) is refreshed in the background
at most every `ADMISSION_READING_SECONDS`, when a request finds it stale: a POST never waits on Redis for
it, and an idle API reads nothing. The cost on the hot route is a clock read and two comparisons.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio

from core import defaults, keys

log = logging.getLogger(__name__)


STORED_PER_REPORT_BYTES = 1024
STORED_PER_BODY_BYTE = 1.25
"""Redis memory a report takes: about 0.7 KB (its hash, content key, job list entry) and 1.1 bytes per byte of
its JSON (measured): on the high side, for the estimate between two readings."""


PROCESSED_BYTES_PER_REPORT = 8192
"""What processing adds to Redis per report (its MinHash and band keys, events, mentions, stream entries):
about 6.5 KB measured on short reports with one event each (tests/api/test_backpressure.py). The waiting
reports' share is counted as used already, so admitted work still fits when it is done."""


@dataclass(frozen=True)
class Reading:
    backlog: int
    used_memory: int
    maxmemory: int


class Admission:
    """Whether the ingest takes work now, from a reading at most `refresh_seconds` old (plus one round trip)."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        max_backlog: int,
        max_memory_share: float,
        refresh_seconds: float = defaults.ADMISSION_READING_SECONDS,
    ) -> None:
        self._client = client
        self._max_backlog = max_backlog
        self._max_share = max_memory_share
        self._refresh_seconds = refresh_seconds
        self._read_at = float("-inf")
        self._task: asyncio.Task[None] | None = None
        self.reading: Reading | None = None
        self.refusal: str | None = None
        """Why ingest is refused now, or None while it is open."""
        self._noted_reports = 0
        self._noted_bytes = 0

    @property
    def enabled(self) -> bool:
        return self._max_backlog > 0 or self._max_share < 1.0

    def check(self) -> str | None:
        """The current refusal (None: admit). Starts a background refresh if the reading is stale."""
        if not self.enabled:
            return None
        if time.monotonic() - self._read_at >= self._refresh_seconds and self._task is None:
            self._task = task = asyncio.get_running_loop().create_task(self._refresh(), name="admission-reading")
            task.add_done_callback(self._done)
        return self.refusal

    def note(self, reports: int, body_bytes: int) -> None:
        """Count what this process admitted since the last reading into the estimate, so a fast flood stops
        within a request or two of the limit rather than after a reading's age of admissions."""
        self._noted_reports += reports
        self._noted_bytes += body_bytes
        if self.reading is not None and self.refusal is None:
            self.refusal = self._judge(self.reading)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._task = None

    async def fresh(self) -> str | None:
        """The refusal from a reading taken now (readiness probes: a few a second at most)."""
        if self.enabled:
            await self._refresh()
        return self.refusal

    async def _refresh(self) -> None:
        noted = self._noted_reports, self._noted_bytes
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.get(keys.BACKLOG)
                pipe.info("memory")
                replies: list[Any] = await pipe.execute()
        except redis.RedisError as error:  # the write itself will say that Redis is away; keep the last verdict
            log.debug("admission reading failed: %s", error)
            return
        finally:
            self._read_at = time.monotonic()
        backlog, memory = replies
        # What was noted before the reading was asked for is in it now (what came after may be too: counted twice
        # at worst, which errs towards refusing).
        self._noted_reports -= noted[0]
        self._noted_bytes -= noted[1]
        self.reading = reading = Reading(
            max(int(backlog or 0), 0), int(memory.get("used_memory", 0)), int(memory.get("maxmemory", 0))
        )
        self.refusal = self._judge(reading)

    def _judge(self, reading: Reading) -> str | None:
        backlog = reading.backlog + self._noted_reports
        if self._max_backlog and backlog > self._max_backlog:
            return f"{backlog} reports wait to be processed (limit {self._max_backlog})"
        if self._max_share < 1.0 and reading.maxmemory > 0:
            stored = STORED_PER_REPORT_BYTES * self._noted_reports + STORED_PER_BODY_BYTE * self._noted_bytes
            share = (reading.used_memory + stored + PROCESSED_BYTES_PER_REPORT * backlog) / reading.maxmemory
            if share > self._max_share:
                return (
                    f"Redis would use {share:.0%} of its maxmemory once the waiting reports are processed"
                    f" (limit {self._max_share:.0%}): ingest pauses before Redis refuses writes"
                )
        return None

    async def close(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
