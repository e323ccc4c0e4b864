"""One blocked XREAD per API process for all its SSE clients: the alert log is read once and fanned out.

While anyone listens, one task reads the log, parses each alert once and puts it on every listener's
queue, so an SSE client costs no Redis connection of its own (docs/benchmarks.md has the before and
after).

Exactness does not rest on the fan-out. A client subscribes first, then reads the log itself from its
own position up to the end (`catch_up`), then takes from its queue only entries past the last one it
read. An entry the fan-out read before the client subscribed was already in the log when the client
read it, so the client's own reads return it; one read after is on the queue. A client whose queue
fills (it reads slower than alerts come) is dropped from the fan-out and goes back to reading the log
itself from where it was: slow clients cost their own reads, and lose nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import redis.asyncio

from core import keys
from core.delivery.stream import parse_id
from core.errors import FanoutClosed, ListenerDropped

log = logging.getLogger(__name__)

PAGE = 100
"""Entries per XREAD / XRANGE call."""

QUEUE_LIMIT = 1000
"""Entries a listener may have waiting before it is dropped back to reading the log itself."""


@dataclass(frozen=True)
class LogEntry:
    """One alert log entry: its id, the alert's JSON as logged, and that JSON parsed (None if not JSON)."""

    id: str
    raw: bytes
    alert: dict[str, Any] | None


def to_entry(entry_id: bytes, fields: dict[bytes, bytes]) -> LogEntry | None:
    """None for an entry without an alert field."""
    raw = fields.get(keys.ALERTS_STREAM_FIELD.encode())
    if raw is None:
        return None
    identifier = entry_id.decode()
    try:
        alert = orjson.loads(raw)
    except orjson.JSONDecodeError:
        log.warning("alert log entry %s is not JSON; skipped", identifier)
        alert = None
    return LogEntry(identifier, raw, alert if isinstance(alert, dict) else None)


@dataclass(eq=False)
class Listener:
    """One SSE client's place in the fan-out: entries (or the reason it ended) in arrival order."""

    queue: asyncio.Queue[LogEntry | BaseException] = field(default_factory=asyncio.Queue)

    async def next(self) -> LogEntry:
        item = await self.queue.get()
        if isinstance(item, BaseException):
            raise item
        return item


_MAX_SEQUENCE = 2**64 - 1


def after(stream_id: str) -> str:
    """The smallest id after `stream_id`, for XRANGE (an exclusive `(` start needs Redis 6.2)."""
    millis, sequence = parse_id(stream_id)
    return f"{millis + 1}-0" if sequence >= _MAX_SEQUENCE else f"{millis}-{sequence + 1}"


async def catch_up(client: redis.asyncio.Redis, last: str) -> AsyncIterator[LogEntry]:
    """Every entry after `last` that is in the log now, in order, a page at a time."""
    while True:
        page: Any = await client.xrange(keys.ALERTS_STREAM, min=after(last), count=PAGE)
        for entry_id, fields in page:
            last = entry_id.decode()
            entry = to_entry(entry_id, fields)
            if entry is not None:
                yield entry
        if len(page) < PAGE:
            return


class AlertFanout:
    """The process's one reader of the alert log; runs only while someone listens.

    It owns its Redis client (`close` closes it). The reader is never cancelled while it blocks:
    redis-py 8 can lose a cancellation that lands as a blocked XREAD's reply arrives, leaving the task
    waiting on a dead read. The reader stops by itself instead, at the first reply or timeout
    (`block_milliseconds`) after the last listener left; a listener that comes before then reuses it.
    """

    def __init__(self, client: redis.asyncio.Redis, block_milliseconds: int, queue_limit: int = QUEUE_LIMIT) -> None:
        self._client = client
        self._block = block_milliseconds
        self._limit = queue_limit
        self._listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def subscribe(self) -> Listener:
        """A new listener: it gets every entry the reader reads from now on."""
        if self._closed:
            raise FanoutClosed()
        if self._task is None:
            # The reader starts at the newest entry now: older ones are the listener's to catch up on.
            newest: Any = await self._client.xrevrange(keys.ALERTS_STREAM, count=1)
            if self._closed:  # closed during the await: start nothing on a closed client
                raise FanoutClosed()
            if self._task is None:  # another listener may have started it during the await
                start = newest[0][0].decode() if newest else "0-0"
                self._task = asyncio.create_task(self._read(start), name="sitrep-alert-fanout")
        listener = Listener()
        self._listeners.add(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def close(self) -> None:
        """Stop the reader and close the client (which ends a blocked read whatever redis-py did with the cancel)."""
        self._closed = True
        listeners, self._listeners = self._listeners, set()
        for listener in listeners:
            listener.queue.put_nowait(FanoutClosed())
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        await self._client.aclose()
        if task is not None:
            await asyncio.wait({task}, timeout=5)

    async def _read(self, last: str) -> None:
        try:
            while self._listeners:
                reply: Any = await self._client.xread({keys.ALERTS_STREAM: last}, block=self._block, count=PAGE)
                for _, entries in reply or []:
                    for entry_id, fields in entries:
                        last = entry_id.decode()
                        entry = to_entry(entry_id, fields)
                        if entry is not None:
                            self._publish(entry)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Redis went away (or a blip): every listener falls back to the log and subscribes again,
            # which starts a new reader; if Redis is still away, that read fails and its stream ends.
            if not self._closed:
                log.warning("alert fan-out stopped: %s", error)
            listeners, self._listeners = self._listeners, set()
            for listener in listeners:
                listener.queue.put_nowait(ListenerDropped())
        finally:
            if self._task is asyncio.current_task():
                self._task = None

    def _publish(self, entry: LogEntry) -> None:
        for listener in list(self._listeners):
            if listener.queue.qsize() >= self._limit:
                self._listeners.discard(listener)
                listener.queue.put_nowait(ListenerDropped())
            else:
                listener.queue.put_nowait(entry)
