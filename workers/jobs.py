"""The RQ job functions. `rq worker sitrep` finds them by these import paths; keep them stable."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache
from types import TracebackType

import redis
from rq import Worker, get_current_job
from rq.job import Job
from rq.utils import as_text

from core import keys
from core.settings import WorkerSettings
from workers.dedup.event_store import EventStore
from workers.job_timing import timed_job
from workers.processing import BatchResult, process_batch, process_job_reports

log = logging.getLogger(__name__)

_configured: WorkerSettings | None = None


def use_settings(settings: WorkerSettings) -> None:
    """Run the jobs of this process with these settings (`sitrep worker` passes its own; `rq worker`
    processes read theirs from the environment)."""
    global _configured
    _configured = settings


@lru_cache
def _from_environment() -> WorkerSettings:
    return WorkerSettings()


def _settings() -> WorkerSettings:
    return _configured or _from_environment()


def open_seconds(settings: WorkerSettings, timeout: float | None, retries_left: int | None) -> float:
    """How long a report job takes newcomers: the setting, at most a third of the job's timeout (it must
    end well before RQ kills it), and not at all on its last attempt or without retries (if that run
    failed, nothing would retry it, and the reports that joined it would be stuck)."""
    if not (retries_left or 0) > 0:
        return 0.0
    if timeout is not None and timeout > 0:
        return min(settings.job_open_seconds, timeout / 3)
    return settings.job_open_seconds


def process_reports(report_ids: list[str] | None = None) -> dict[str, int]:
    """Extract, deduplicate and publish the events of a batch of stored reports.

    The ingest enqueues it without arguments: the reports are the job's list in Redis, which later
    reports may join while the job waits in the queue (services/api/report_store.py). Given ids (jobs
    queued by hand, or by an older ingest) it processes those.
    Idempotent: a retry after a crash, or a second job naming the same reports, changes nothing.
    """
    job = get_current_job()
    if job is None:
        raise RuntimeError("process_reports runs inside an RQ worker; call workers.processing.process_batch directly")
    with timed_job(job, "process_reports"):
        return _process_reports(job, report_ids)


def _process_reports(job: Job, report_ids: list[str] | None) -> dict[str, int]:
    if report_ids is None:
        settings = _settings()
        worker_key = Worker.redis_worker_namespace_prefix + (job.worker_name or "")
        served = as_text(job.connection.hget(worker_key, "queues") or b"")  # RQ's "name,name"
        result: BatchResult = process_job_reports(
            job.connection,
            job.id,
            job.origin,
            settings,
            open_seconds=open_seconds(settings, job.timeout, job.retries_left),
            # RQ records a warm shutdown asked of a busy worker in its hash: stop taking newcomers then.
            stop_requested=lambda: bool(job.connection.hexists(worker_key, "shutdown_requested_date")),
            # A worker that also serves webhook deliveries must not keep them waiting while it lingers.
            other_queues=[name for name in served.split(",") if name and name != job.origin],
        )
    else:
        result = process_batch(job.connection, report_ids, _settings())
    return result.as_dict()


def report_job_failed(
    job: Job,
    connection: redis.Redis,
    kind: type[BaseException] | None,
    error: BaseException | None,
    trace: TracebackType | None,
) -> None:
    """RQ's failure callback of a report job (also run for a job abandoned by a dead worker). On its last
    attempt, its reports still pending become `failed` with the reason, instead of `processing` for ever;
    `sitrep reports retry` queues them again."""
    if job.retries_left:
        return  # RQ retries it: the retry processes them
    name = kind.__name__ if kind is not None else "Error"
    _fail_pending(job, connection, f"job {job.id} failed for good: {name}: {error}")


def report_job_stopped(job: Job, connection: redis.Redis) -> None:
    """RQ's stopped callback of a report job (`rq stop-job`, which RQ never retries): its reports still pending
    become `failed`, where `sitrep reports retry` finds them, instead of `processing` for ever."""
    _fail_pending(job, connection, f"job {job.id} was stopped (rq stop-job) before it processed this report")


PROCESS_REPORTS = f"{process_reports.__module__}.{process_reports.__qualname__}"


def _fail_pending(job: Job, connection: redis.Redis, reason: str) -> None:
    store = EventStore(connection, _settings())
    # Closed to newcomers first: a stopped job's horse may have left it open, and a report the ingest added
    # after the list was read would stay `processing` for ever (RQ never runs a stopped job again).
    store.close_job(job.id, job.origin)
    report_ids = [str(rid) for rid in job.args[0]] if job.args and job.args[0] else None
    if report_ids is None:
        report_ids = [as_text(rid) for rid in connection.lrange(keys.job_reports(job.id), 0, -1)]
    # Counted by the script that marks them (settle.lua), not in this process's tally: this callback may run
    # in a worker's parent process, whose tally every work horse it forks afterwards would inherit.
    failed = store.fail_reports(report_ids, reason[:2000], datetime.now(UTC))
    log.warning(
        "job %s ended for good (%s); %s of its %s reports marked failed", job.id, reason, failed, len(report_ids)
    )
