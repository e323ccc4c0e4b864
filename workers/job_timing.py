"""Around every RQ job of a sitrep worker: its id on its log lines, its duration, the tally sent when it ends."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import redis
from rq.job import Job

from core import logs, metrics
from core.metrics import TALLY

log = logging.getLogger(__name__)


@contextlib.contextmanager
def timed_job(job: Job, name: str) -> Iterator[None]:
    """Bind the job's id to its log lines; count its duration, and send the process's tally when it ends
    (a forked work horse exits after its job: what it counted must not die with it)."""
    began = time.perf_counter()
    try:
        with logs.bound(job_id=job.id):
            yield
    finally:
        TALLY.observe(metrics.JOB_DURATION, time.perf_counter() - began, name)
        try:
            TALLY.flush(job.connection)
        except redis.RedisError as error:  # kept for the next job's flush; the job's own outcome stands
            log.warning("job %s: metrics not sent: %s", job.id, error)
