"""The RQ job functions. `rq worker sitrep` finds them by these import paths; keep them stable."""

from __future__ import annotations

from functools import lru_cache

from rq import get_current_job

from services.settings import WorkerSettings
from workers.processing import BatchResult, process_batch


@lru_cache
def _settings() -> WorkerSettings:
    return WorkerSettings()


def process_reports(report_ids: list[str]) -> dict[str, int]:
    """Extract, deduplicate and publish the events of a batch of stored reports.

    Idempotent: a retry after a crash, or a second job naming the same reports, changes nothing.
    """
    job = get_current_job()
    if job is None:
        raise RuntimeError("process_reports runs inside an RQ worker; call workers.processing.process_batch directly")
    result: BatchResult = process_batch(job.connection, report_ids, _settings())
    return result.as_dict()
