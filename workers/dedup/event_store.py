"""Where a report's events go: one Lua call per batch merges them into canonical events (docs/dedup.md).

The script (workers/dedup/merge.lua) checks each report's status, finds near-duplicates through
the LSH band keys, adds each extracted event as a mention of its canonical event, updates that
event's state and indexes, appends one `sitrep:events` entry per changed event, and marks the
report done: all of a batch in one atomic call, so Redis round trips are per batch and two workers
can never interleave inside a merge. The event's JSON is rendered on read (core/event_reader.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
from redis.exceptions import NoScriptError
from rq import Queue

from core import keys, lua
from core.event_reader import RENDER_LUA
from core.settings import WorkerSettings
from workers.dedup import minhash
from workers.dedup.canonical import MergeItem, ReportFacts, clean_source

_CLAIM_LUA = lua.source("workers.dedup", "claim_function.lua", "claim.lua")

_TAKE_LUA = lua.source("workers.dedup", "claim_function.lua", "take.lua")

_CLOSE_LUA = lua.source("workers.dedup", "close_job.lua")

_FAIL_LUA = lua.source("workers.dedup", "settle.lua", "fail_reports.lua")

MERGE_LUA = RENDER_LUA + lua.source("workers.dedup", "settle.lua", "merge.lua")


@dataclass
class ReportToMerge:
    """One report of the batch as the merge script takes it: its signature and its events, or its error."""

    id: str
    source: str = ""
    published_at: str = ""
    signature: str = ""
    bands: list[str] = field(default_factory=list)
    items: list[MergeItem] = field(default_factory=list)
    error: str | None = None
    stamp: str = ""

    @classmethod
    def done(cls, facts: ReportFacts, text: str, items: list[MergeItem]) -> ReportToMerge:
        values = minhash.signature(text)
        return cls(
            id=facts.report_id,
            source=clean_source(facts.source),
            published_at=facts.published_iso,
            signature=minhash.to_hex(values),
            bands=minhash.band_keys(values),
            items=items,
            stamp=facts.stamp + facts.report_id,
        )

    def args(self) -> list[str | bytes | float | int]:
        out: list[str | bytes | float | int] = [self.id, self.source, self.published_at, self.stamp, self.signature]
        out += [len(self.bands), *self.bands]
        out += ["failed" if self.error is not None else "done", self.error or "", len(self.items)]
        for item in self.items:
            out += item.args()
        return out


@dataclass(frozen=True)
class MergeOutcome:
    """What the script did with one report."""

    id: str
    status: str
    story: str | None
    near_duplicate_of: str | None
    changes: list[tuple[str, str, str]]


def _text(value: bytes | str | int) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class EventStore:
    """The two scripts a worker runs per batch: claim the reports, merge their events."""

    def __init__(self, connection: redis.Redis, settings: WorkerSettings) -> None:
        self._connection = connection
        self._claim = connection.register_script(_CLAIM_LUA)
        self._take = connection.register_script(_TAKE_LUA)
        self._close = connection.register_script(_CLOSE_LUA)
        self._merge = connection.register_script(MERGE_LUA)
        self._fail = connection.register_script(_FAIL_LUA)
        self._settings = settings
        self._need = math.ceil(settings.near_duplicate_threshold * minhash.SLOTS)

    @property
    def settings(self) -> WorkerSettings:
        return self._settings

    @property
    def connection(self) -> redis.Redis:
        return self._connection

    def claim(self, report_ids: list[str]) -> list[tuple[str, str, str]]:
        """(id, status before, payload) per report; pending ones are now 'processing'."""
        if not report_ids:
            return []
        return self._claimed(self._claim(args=report_ids))

    def claim_job(self, job_id: str, queue_name: str, lease_milliseconds: int = 0) -> list[tuple[str, str, str]]:
        """`claim` for the reports the ingest gave to this RQ job; closes the queued job to new reports first.

        With a lease the job becomes the queue's running job, which the ingest may give newcomers while its
        worker waits with nothing in hand (`take`), for as long as the worker renews the lease.
        """
        script_keys = [keys.open_job(queue_name), keys.job_reports(job_id), keys.running_job(queue_name)]
        return self._claimed(self._claim(keys=script_keys, args=[job_id, lease_milliseconds]))

    def take(
        self,
        job_id: str,
        queue_name: str,
        offset: int,
        close: bool,
        lease_milliseconds: int,
        other_queues: Sequence[str] = (),
    ) -> tuple[list[tuple[str, str, str]], bool]:
        """Claim the reports that joined the running job after the first `offset`; and whether it still
        takes newcomers. With `close`, or when it is no longer the running job, or when it has nothing
        left while jobs wait in its queue or in `other_queues` (the worker's others), it takes no more
        after what this returns."""
        script_keys = [
            keys.running_job(queue_name),
            keys.job_reports(job_id),
            keys.job_wake(job_id),
            *(Queue.redis_queue_namespace_prefix + name for name in (queue_name, *other_queues)),
        ]
        reply = self._take(keys=script_keys, args=[job_id, offset, "1" if close else "0", lease_milliseconds])
        return self._claimed(reply[1:]), _text(reply[0]) == "open"

    def wait_for_newcomers(self, job_id: str, seconds: float) -> bool:
        """Block until the ingest gives the running job reports (or closes it), at most `seconds`."""
        return self._connection.blpop([keys.job_wake(job_id)], timeout=seconds) is not None

    def close_job(self, job_id: str, queue_name: str) -> None:
        """Take no newcomers (a job that failed: its retry reads the reports that joined)."""
        self._close(keys=[keys.running_job(queue_name), keys.job_wake(job_id)], args=[job_id])

    def fail_reports(self, report_ids: Sequence[str], reason: str, now: datetime) -> int:
        """Mark the pending ones among `report_ids` failed with `reason` (their job failed for good)."""
        failed = 0
        for start in range(0, len(report_ids), 1000):
            chunk = list(report_ids[start : start + 1000])
            failed += int(self._fail(args=[int(now.timestamp() * 1000), now.isoformat(), reason, *chunk]))
        return failed

    def forget_job(self, job_id: str) -> None:
        """Drop a finished job's report list (a failed job keeps it, for its retries, until the report TTL)."""
        self._connection.delete(keys.job_reports(job_id))

    @staticmethod
    def _claimed(reply: list[bytes]) -> list[tuple[str, str, str]]:
        return [(_text(reply[k]), _text(reply[k + 1]), _text(reply[k + 2])) for k in range(0, len(reply), 3)]

    def merge(self, reports: list[ReportToMerge], now: datetime) -> list[MergeOutcome]:
        """Run the merge script on the whole batch (one round trip)."""
        return self.start_merge(reports, now)()

    def start_merge(
        self, reports: list[ReportToMerge], now: datetime, also: Sequence[Sequence[str | int]] = ()
    ) -> Callable[[], list[MergeOutcome]]:
        """Send the merge script for `reports` and return a function that waits for its outcomes.

        Redis runs the script while the caller extracts the next reports: the worker's core is not
        idle for the script's duration, which was about a third of a batch's time. Commands in `also`
        (the worker's metric increments) go in the same write, and their replies are read after the script's.
        """
        if not reports:
            return list
        args = self._merge_args(reports, now)
        pool = self._connection.connection_pool
        connection = pool.get_connection()
        try:
            packed = connection.pack_commands([("EVALSHA", self._merge.sha, 0, *args), *also])  # type: ignore[no-untyped-call]
            connection.send_packed_command(packed)  # type: ignore[no-untyped-call]
        except BaseException:
            pool.release(connection)
            raise

        def finish() -> list[MergeOutcome]:
            script_missing = False
            try:
                try:
                    reply = connection.read_response()
                except NoScriptError:  # Redis restarted or flushed its scripts: run it the slow way below
                    script_missing = True
                for _ in also:
                    connection.read_response()
                if script_missing:
                    reply = self._merge(args=args)
            except BaseException:
                connection.disconnect()  # type: ignore[no-untyped-call]  # a reply may still be in flight
                raise
            finally:
                pool.release(connection)
            return self._outcomes(reports, reply)

        return finish

    def _merge_args(self, reports: list[ReportToMerge], now: datetime) -> list[str | bytes | float | int]:
        settings = self._settings
        args: list[str | bytes | float | int] = [
            int(now.timestamp()),
            now.isoformat(),
            settings.event_ttl_seconds,
            settings.near_duplicate_ttl_seconds,
            settings.events_stream_maxlen,
            self._need,
            8,
            len(reports),
        ]
        for report in reports:
            args += report.args()
        return args

    @staticmethod
    def _outcomes(reports: list[ReportToMerge], reply: Any) -> list[MergeOutcome]:
        outcomes, k = [], 0
        for _ in reports:
            rid, status, story, near, count = (_text(value) for value in reply[k : k + 5])
            k += 5
            changes = [
                (_text(reply[k + 3 * c]), _text(reply[k + 3 * c + 1]), _text(reply[k + 3 * c + 2]))
                for c in range(int(count))
            ]
            k += 3 * int(count)
            outcomes.append(MergeOutcome(rid, status, story or None, near or None, changes))
        return outcomes
