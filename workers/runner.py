"""`sitrep worker`: an RQ worker on the sitrep queue, with the extractor's lexicons loaded before any fork."""

from __future__ import annotations

import importlib
import logging

from rq import Queue
from rq.worker import Worker

from services.redis_conn import sync_client
from services.settings import WorkerSettings

log = logging.getLogger(__name__)


def _worker_class(path: str) -> type[Worker]:
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Worker)):
        raise TypeError(f"{path} is not an rq Worker class")
    return cls


def run_worker(
    settings: WorkerSettings, queues: list[str] | None = None, burst: bool = False, worker_class: str | None = None
) -> int:
    """Work until SIGTERM/SIGINT (warm shutdown: the current job finishes), or until empty with `burst`."""
    import workers.extraction  # noqa: F401  (loads lexicons once; forked work horses inherit them)
    import workers.webhook_jobs  # noqa: F401  (likewise httpx, its TLS context and the delivery code)

    connection = sync_client(settings.redis_url)
    cls = _worker_class(worker_class or settings.worker_class)
    worker = cls(
        [Queue(name, connection=connection) for name in (queues or [settings.queue_name, settings.webhook_queue_name])],
        connection=connection,
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level.upper())
    return 0
