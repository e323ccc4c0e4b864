"""Store reports and give them to an RQ job in one atomic step: a 202 means the work is in Redis.

One Lua script decides, report by report, whether it is new or an exact resend (same id, or
the same normalised text from the same source) and writes the report record. The new reports
then go to a job, in the same script:

- if the newest report job still waits in the queue list (no worker has taken it) and has room,
  they join it: its report list (`sitrep:job-reports:{job}`) grows and no new RQ job is made;
- else, if a worker runs a report job it keeps open (`sitrep:ingest:running-job:{queue}`) and waits with
  nothing in hand, and the job has room, they join that and wake its worker;
- otherwise the script enqueues new RQ job(s) and remembers the last as the open one.

RQ costs a worker several milliseconds per job whatever the job carries, so when workers fall
behind, lone POSTs pile into a few jobs instead of one job each, and the backlog drains instead
of growing. The RQ job records are built by RQ itself (`Queue.enqueue_many` on a pipeline that is
never sent); the script replays those commands only when it needs a new job. A worker closes a
queued job to new reports when it starts it; the running job then takes newcomers only through the
running-job key, which its worker reads and renews in the same script that claims them
(workers/dedup/event_store.py), so no report can join a job after the job has ended or been closed. A worker
that dies leaves that key to lapse (1 s): until then up to 25 reports may join its job, which RQ's
retry of the abandoned job processes (only jobs with a retry left stay open).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import redis
import redis.asyncio
from rq import Callback, Queue, Retry

from core import defaults, keys, lua
from core.errors import UnreplayableEnqueue
from schemas.reports import ReportIn

log = logging.getLogger(__name__)

_STORE_REPORTS_LUA = lua.source("services.api", "store_reports.lua")

_REQUEUE_LUA = lua.source("services.api", "requeue_reports.lua")


PROCESS_REPORTS = "workers.jobs.process_reports"
"""The job function, by name: importing it would load the extractor (its lexicons) into every API process."""

REPORT_JOB_FAILED = "workers.jobs.report_job_failed"
"""RQ's failure callback of a report job, by name: on its last attempt its pending reports become `failed`."""

REPORT_JOB_STOPPED = "workers.jobs.report_job_stopped"
"""RQ's stopped callback (`rq stop-job` on a forking worker): RQ never retries a stopped job, so its pending
reports become `failed`."""

_REPLAYABLE = frozenset({b"SADD", b"HSET", b"RPUSH", b"LPUSH", b"EXPIRE", b"PERSIST"})
"""Commands RQ's enqueue may send for the store script to replay. Anything else (a script, a read whose
reply RQ would need) could fail inside the script after the reports were written: refused up front."""


def replay_words(commands: list[tuple[Any, ...]]) -> list[bytes | str | int | float]:
    """RQ's enqueue commands as the store script reads them: (argument count, arguments...) each.

    Raises UnreplayableEnqueue, before anything is sent, if one is not a plain write the script can
    replay: a script that failed half-way would leave reports stored with no job.
    """
    words: list[bytes | str | int | float] = []
    for command in commands:
        head = command[0]
        name = head.encode().upper() if isinstance(head, str) else bytes(head).upper()
        if name not in _REPLAYABLE:
            raise UnreplayableEnqueue(
                f"RQ enqueues with {name.decode(errors='replace')!r}, which the store script does not replay; "
                "nothing was stored (sitrep is tested with rq 2 and 3)"
            )
        words += [len(command), *command]
    return words


def content_hash(source: str, text: str) -> str:
    """Hash of (source, trimmed text): equal for an exact resend.

    Only leading and trailing white space is ignored: folding all of it and case cost the ingest route
    too much; resends that differ inside the text are caught as near-duplicates by the workers instead.
    """
    digest = hashlib.sha256(source.casefold().encode())
    digest.update(b"\x00")
    digest.update(text.strip().encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class ReportToStore:
    """A validated report with its id and content hash, ready to store."""

    id: str
    content_hash: str
    payload: str


@dataclass(frozen=True)
class StoreOutcome:
    id: str
    status: str
    duplicate_of: str | None


def prepare(report: ReportIn, namespace: str | None = None) -> ReportToStore:
    """Give the report an id (the client's, else one derived from its content) and serialise it.

    Sent with an API key, the id is `{the key's name}:{id}`, so no client can take another's ids.
    The stored payload carries the client's fields only; the id lives in the key.
    """
    digest = content_hash(report.source, report.text)
    report_id = report.id or f"r-{digest[:24]}"
    if namespace and not report_id.startswith(f"{namespace}:"):  # an id as acknowledged is taken back as is
        report_id = f"{namespace}:{report_id}"
    return ReportToStore(
        id=report_id,
        content_hash=digest,
        payload=report.model_dump_json(exclude_none=True),
    )


class StoreSettings(Protocol):
    """The settings a store is made from (IngestSettings, FeedSettings)."""

    queue_name: str
    job_max_reports: int
    job_timeout_seconds: int
    report_ttl_seconds: int


class ReportStore:
    """Writes batches of prepared reports and gives them to RQ jobs, atomically, from sync or async code.

    A commit is one script call (atomic in Redis), so the blocking and the asyncio client send the
    same thing; the API awaits the write on its event loop.
    """

    def __init__(
        self,
        connection: redis.Redis,
        async_connection: redis.asyncio.Redis | None = None,
        queue_name: str = defaults.QUEUE_NAME,
        job_max_reports: int = defaults.JOB_MAX_REPORTS,
        job_timeout_seconds: int = defaults.JOB_TIMEOUT_SECONDS,
        report_ttl_seconds: int = defaults.REPORT_TTL_SECONDS,
    ) -> None:
        if job_max_reports < 1:
            raise ValueError(f"job_max_reports must be at least 1, not {job_max_reports}")
        self._connection = connection
        self._queue = Queue(queue_name, connection=connection)
        self._script = connection.register_script(_STORE_REPORTS_LUA)
        self._async_script = async_connection.register_script(_STORE_REPORTS_LUA) if async_connection else None
        self._requeue = connection.register_script(_REQUEUE_LUA)
        self._job_max_reports = job_max_reports
        self._job_timeout_seconds = job_timeout_seconds
        self._report_ttl_seconds = report_ttl_seconds
        self._retry = Retry(
            max=len(defaults.JOB_RETRY_INTERVALS_SECONDS), interval=list(defaults.JOB_RETRY_INTERVALS_SECONDS)
        )

    @classmethod
    def from_settings(
        cls, settings: StoreSettings, connection: redis.Redis, async_connection: redis.asyncio.Redis | None = None
    ) -> ReportStore:
        """The store the API, `sitrep reports`, the feed poller and `sitrep import` write with."""
        return cls(
            connection,
            async_connection,
            queue_name=settings.queue_name,
            job_max_reports=settings.job_max_reports,
            job_timeout_seconds=settings.job_timeout_seconds,
            report_ttl_seconds=settings.report_ttl_seconds,
        )

    @property
    def connection(self) -> redis.Redis:
        return self._connection

    def warm_up(self) -> None:
        """Ask Redis for its version now, as RQ does once per queue before its first enqueue, so that the
        blocking call is not made on the API's event loop later; a Redis that is down is asked later."""
        try:
            self._queue.get_redis_server_version()
        except redis.RedisError as error:
            log.warning("Redis did not answer at start (%s); RQ will ask for its version on the first commit", error)

    def _job_words(self, first_report_id: str) -> list[bytes | str | int | float]:
        """A new report job as the script takes it: id, word count, RQ's own enqueue commands.

        RQ writes the commands to a pipeline that is never sent; the script runs them only if no
        open job can take the reports. (RQ reads the server version once per queue, the first time.)
        """
        job_id = f"reports-{uuid.uuid4().hex}"
        data = Queue.prepare_data(
            PROCESS_REPORTS,
            timeout=self._job_timeout_seconds,
            retry=self._retry,
            on_failure=Callback(REPORT_JOB_FAILED),
            on_stopped=Callback(REPORT_JOB_STOPPED),
            job_id=job_id,
            description=f"process the reports queued from {first_report_id} on",
        )
        pipe = self._connection.pipeline(transaction=False)
        try:
            self._queue.enqueue_many([data], pipeline=pipe)
            commands = replay_words([command for command, _options in pipe.command_stack])
        finally:
            pipe.reset()
        return [job_id, len(commands), *commands]

    def _args(self, reports: list[ReportToStore]) -> list[bytes | str | int | float]:
        args: list[bytes | str | int | float] = [
            datetime.now(UTC).isoformat(),
            self._report_ttl_seconds,
            self._job_max_reports,
            self._queue.key,
            keys.open_job(self._queue.name),
            keys.job_reports(""),
            keys.running_job(self._queue.name),
            keys.job_wake(""),
            defaults.RUNNING_JOB_MAX_WAITING,
            len(reports),
        ]
        for report in reports:
            args += [report.id, report.content_hash, report.payload]
        for start in range(0, len(reports), self._job_max_reports):
            args += self._job_words(reports[start].id)
        return args

    @staticmethod
    def _outcomes(reports: list[ReportToStore], reply: list[int | bytes]) -> list[StoreOutcome]:
        duplicates = {
            int(reply[i]): (value.decode() if isinstance(value := reply[i + 1], bytes) else str(value))
            for i in range(0, len(reply), 2)
        }
        return [
            StoreOutcome(report.id, "duplicate", duplicates[i])
            if i in duplicates
            else StoreOutcome(report.id, "queued", None)
            for i, report in enumerate(reports)
        ]

    def commit(self, reports: list[ReportToStore]) -> list[StoreOutcome]:
        """Store the reports and give the new ones to a queued job (the open one, or new ones), atomically."""
        if not reports:
            return []
        return self._outcomes(reports, self._script(args=self._args(reports)))

    async def acommit(self, reports: list[ReportToStore]) -> list[StoreOutcome]:
        """`commit` on the asyncio client."""
        if not reports:
            return []
        if self._async_script is None:
            raise RuntimeError("ReportStore was built without an asyncio client")
        return self._outcomes(reports, await self._async_script(args=self._args(reports)))

    def requeue_failed(self, report_ids: list[str]) -> list[str]:
        """Give the failed reports among `report_ids` to new jobs (job_max_reports each); returns those queued
        again. Reports that are not failed are left alone."""
        queued: list[str] = []
        for start in range(0, len(report_ids), self._job_max_reports):
            chunk = report_ids[start : start + self._job_max_reports]
            job_id, _count, *words = self._job_words(chunk[0])
            args = [keys.job_reports(""), job_id, self._report_ttl_seconds, len(words), *words, *chunk]
            queued += [rid.decode() if isinstance(rid, bytes) else str(rid) for rid in self._requeue(args=args)]
        return queued

    def requeue_all_failed(self) -> list[str]:
        """`requeue_failed` on every report in the failed index when the call began, a job's worth at a time.
        Those that fail again meanwhile (scored later) stay failed: otherwise a fast worker keeps it going."""
        seconds, micros = self._connection.time()
        began_ms = seconds * 1000 + micros // 1000
        queued: list[str] = []
        while True:
            raw: list[Any] = self._connection.zrangebyscore(
                keys.FAILED_REPORTS, "-inf", began_ms, start=0, num=self._job_max_reports
            )
            listed = [rid.decode() for rid in raw]
            if not listed:
                return queued
            queued += self.requeue_failed(listed)  # each id leaves the index, so this ends
