"""`sitrep worker`: an RQ worker on the sitrep queues, with the extractor's lexicons loaded once at start."""

from __future__ import annotations

import importlib
import logging

from rq import Queue
from rq.executions import Execution
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.worker import BaseWorker

import workers.jobs
from core.errors import UnknownWorkerClass
from core.gc_freeze import freeze_startup_objects
from core.processes import tie_forks_to_this_process
from core.redis_conn import sync_client
from core.settings import WorkerSettings

log = logging.getLogger(__name__)


class FailsStoppedReportJobs(BaseWorker):
    """Mixed in before the configured worker class: a report job stopped with `rq stop-job` leaves its pending
    reports `failed`. RQ runs the job's stopped callback only where it kills a work horse; a SimpleWorker has
    none, runs the job on, and, should it then raise, marks it stopped without retry or callback."""

    def handle_job_failure(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: StartedJobRegistry | None = None,
        exc_string: str = "",
        execution: Execution | None = None,
    ) -> None:
        stopped = self._stopped_job_id == job.id  # cleared by RQ's handler
        super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)
        if stopped and job.func_name == workers.jobs.PROCESS_REPORTS:
            workers.jobs.report_job_stopped(job, self.connection)


def _worker_class(path: str) -> type[BaseWorker]:
    module, _, name = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name) if module else None
    except (ImportError, AttributeError):
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, BaseWorker)):
        raise UnknownWorkerClass(f"{path!r} is not an RQ worker class (for example rq.worker.SimpleWorker)")
    return type(f"Sitrep{cls.__name__}", (FailsStoppedReportJobs, cls), {})


def run_worker(
    settings: WorkerSettings, queues: list[str] | None = None, burst: bool = False, worker_class: str | None = None
) -> int:
    """Work until SIGTERM/SIGINT (warm shutdown: the current job finishes), or until empty with `burst`."""
    import workers.extraction  # noqa: F401  (loads lexicons once; forked work horses inherit them)
    import workers.webhook_jobs  # noqa: F401  (likewise httpx, its TLS context and the delivery code)

    # Everything loaded so far (the lexicons above all) out of the collector's sight: full collections
    # stay short, and a forked work horse does not write to every object's header (copying the heap).
    freeze_startup_objects()

    # A burst worker drains what is queued and exits: a job waiting for newcomers would only delay that.
    workers.jobs.use_settings(settings.model_copy(update={"job_linger_seconds": 0.0}) if burst else settings)
    # RQ forks its scheduler (and, with rq.worker.Worker, a work horse per job). A child that outlived a
    # killed worker would hold the worker's Redis socket, on which a BLMOVE for the next job still waits:
    # Redis would hand that job to a socket nobody reads. The kernel ends such children with the worker.
    # (rq.worker.SpawnWorker starts its work horses with posix_spawn, which runs no fork hook.)
    tie_forks_to_this_process()
    connection = sync_client(settings.redis_url)
    cls = _worker_class(worker_class or settings.worker_class)
    worker = cls(
        [Queue(name, connection=connection) for name in (queues or [settings.queue_name, settings.webhook_queue_name])],
        connection=connection,
        maintenance_interval=settings.worker_maintenance_seconds,
        worker_ttl=settings.worker_maintenance_seconds + 15,  # an idle worker blocks for its TTL - 15 s
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level.upper())
    return 0
