"""RQ jobs of the `sitrep-webhooks` queue: one attempt of one delivery (a signed webhook or another
receiver), and the periodic resend of an Alertmanager subscription's firing alerts (core/delivery/)."""

from __future__ import annotations

from functools import lru_cache

from rq import get_current_job

from core import logs
from core.delivery.webhooks import attempt_delivery, resend_firing
from core.settings import DeliverySettings
from workers.job_timing import timed_job


@lru_cache(maxsize=1)
def _settings() -> DeliverySettings:
    return DeliverySettings()


def deliver_webhook(delivery_id: str, attempt: int) -> str:
    """Runs on the worker's own connection; never raises for an HTTP or SMTP failure (those are retried
    by scheduling the next attempt), so RQ's failed registry only holds real bugs."""
    job = get_current_job()
    assert job is not None, "deliver_webhook runs as an RQ job"
    with timed_job(job, "deliver_webhook"), logs.bound(delivery_id=delivery_id):
        return attempt_delivery(job.connection, _settings(), delivery_id, attempt)


def resend_alertmanager(subscription_id: str) -> str:
    """Queued by a dispatcher once per `resend_seconds` for each Alertmanager subscription."""
    job = get_current_job()
    assert job is not None, "resend_alertmanager runs as an RQ job"
    with timed_job(job, "resend_alertmanager"), logs.bound(subscription_id=subscription_id):
        return resend_firing(job.connection, _settings(), subscription_id)
