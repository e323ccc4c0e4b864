"""The RQ job functions. `rq worker sitrep` finds them by these import paths; keep them stable."""

from __future__ import annotations

from functools import lru_cache

from rq import get_current_job

from services.settings import WorkerSettings
from workers.processing import BatchResult, process_batch, process_job_reports


@lru_cache
def _settings() -> WorkerSettings:
    return WorkerSettings()


def process_reports(report_ids: list[str] | None = None) -> dict[str, int]:
    """Extract, deduplicate and publish the events of a batch of stored reports.

    The ingest enqueues it without arguments: the reports are the job's list in Redis, which later
    reports may join while the job waits in the queue (services/ingest/store.py). Given ids (jobs
    queued by hand, or by an older ingest) it processes those.
    Idempotent: a retry after a crash, or a second job naming the same reports, changes nothing.
    """
    job = get_current_job()
    if job is None:
        raise RuntimeError("process_reports runs inside an RQ worker; call workers.processing.process_batch directly")
    if report_ids is None:
        result: BatchResult = process_job_reports(job.connection, job.id, job.origin, _settings())
    else:
        result = process_batch(job.connection, report_ids, _settings())
    return result.as_dict()
