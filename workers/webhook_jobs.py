"""RQ job of the `sitrep-webhooks` queue: one attempt of one webhook delivery (core/delivery/webhooks.py)."""

from __future__ import annotations

from functools import lru_cache

from rq import get_current_job

from core import logs
from core.delivery.webhooks import attempt_delivery
from core.settings import DeliverySettings
from workers.job_timing import timed_job


@lru_cache(maxsize=1)
def _settings() -> DeliverySettings:
    return DeliverySettings()


def deliver_webhook(delivery_id: str, attempt: int) -> str:
    """Runs on the worker's own connection; never raises for an HTTP failure (those are retried by
    scheduling the next attempt), so RQ's failed registry only holds real bugs."""
    job = get_current_job()
    assert job is not None, "deliver_webhook runs as an RQ job"
    with timed_job(job, "deliver_webhook"), logs.bound(delivery_id=delivery_id):
        return attempt_delivery(job.connection, _settings(), delivery_id, attempt)
