"""One delivery attempt: sign and POST (or hand the alert to its receiver), record it, schedule the next.

An attempt runs as an RQ job on its own queue (`sitrep-webhooks`), so a slow or failing endpoint
holds up neither extraction nor other subscribers. Retries are scheduled with `enqueue_at` in the
same MULTI that records the attempt, so an attempt is never recorded without its follow-up or the
other way round. A job only acts if its attempt number is the delivery's next one: a duplicate or
stale job (after a replay, or a claimed crash) does nothing.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson
import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from core import keys, logs, metrics
from core.delivery import addresses, http_post, receivers, signing, subscriptions
from core.delivery.http_post import CONNECT_TIMEOUT_SECONDS
from core.delivery.http_post import post as post  # the webhook path's POST, where tests and scripts find it
from core.errors import AddressRefused, ReplayRefused
from core.settings import DeliverySettings

log = logging.getLogger(__name__)

JOB_FUNCTION = "workers.webhook_jobs.deliver_webhook"
USER_AGENT = "sitrep-webhooks/0.1"
CLOUDEVENTS_JSON = "application/cloudevents+json"
"""The body is the alert's whole CloudEvent (structured mode of the HTTP binding): this type tells a
CloudEvents SDK so, where `application/json` would make it look for `ce-` headers."""
RESEND_FUNCTION = "workers.webhook_jobs.resend_alertmanager"

Outcome = Literal["delivered", "retry", "failed", "gone", "cancelled"]


def webhook_queue(connection: redis.Redis, settings: DeliverySettings) -> Queue:
    return Queue(settings.webhook_queue_name, connection=connection)


def job_timeout_seconds(settings: DeliverySettings) -> int:
    """Long enough for a connect timeout per address tried, then write and read timeouts; short enough
    that a hung job is killed soon."""
    return int(addresses.ADDRESSES_TRIED * CONNECT_TIMEOUT_SECONDS + 2 * settings.webhook_timeout_seconds) + 10


def enqueue_attempt(
    queue: Queue, pipe: redis.client.Pipeline, identifier: str, attempt: int, delay_seconds: float, timeout: int
) -> None:
    """Queue (or schedule) attempt number `attempt` on `pipe`, which must be in MULTI mode."""
    options: dict[str, Any] = {
        "job_timeout": timeout,
        "result_ttl": 600,
        "failure_ttl": 7 * 24 * 3600,
        "description": f"webhook {identifier} attempt {attempt}",
        # HTTP failures never raise (they schedule the next attempt); this covers the job itself dying,
        # e.g. Redis unreachable or the work horse killed. A rerun of an attempt already recorded is a no-op.
        "retry": Retry(max=3, interval=[10, 60, 300]),
        "pipeline": pipe,
    }
    if delay_seconds <= 0:
        queue.enqueue(JOB_FUNCTION, identifier, attempt, **options)
    else:
        when = datetime.now(UTC) + timedelta(seconds=delay_seconds)
        queue.enqueue_at(when, JOB_FUNCTION, identifier, attempt, **options)


def retry_delay(settings: DeliverySettings, retry_number: int) -> float | None:
    """Wait before retry `retry_number` (1 = the second attempt), with jitter; None when given up."""
    schedule = settings.webhook_retry_seconds
    if retry_number > len(schedule):
        return None
    jitter = settings.webhook_retry_jitter
    return float(schedule[retry_number - 1]) * random.uniform(1 - jitter, 1 + jitter)


def attempt_delivery(connection: redis.Redis, settings: DeliverySettings, identifier: str, attempt: int) -> str:
    """Make attempt `attempt` of delivery `identifier`; returns its outcome (or why nothing was done)."""
    fields = subscriptions.load_delivery(connection, identifier)
    if fields is None:
        return "expired"
    with logs.bound(delivery_id=identifier, alert_id=fields.get("alert_id") or None):
        return _attempt(connection, settings, identifier, attempt, fields)


def _attempt(
    connection: redis.Redis, settings: DeliverySettings, identifier: str, attempt: int, fields: dict[str, str]
) -> str:
    if fields["status"] != "pending" or int(fields["next_attempt"]) != attempt:
        return "stale"
    subscription = subscriptions.get(connection, fields["subscription"])
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    code: int | None = None
    error: str | None = None
    asked_wait: float | None = None
    outcome: Outcome
    if subscription is None:
        outcome, error = "cancelled", "subscription deleted"
    elif subscription.status == "disabled":
        outcome, error = "cancelled", f"subscription disabled: {subscription.disabled_reason or 'by request'}"
    else:
        paused_for = (subscription.paused_until.timestamp() - time.time()) if subscription.paused_until else 0.0
        if paused_for > 0 and int(fields.get("replay_attempt", "0")) != attempt:
            return _defer(connection, settings, identifier, attempt, paused_for)
        body = fields["body"].encode()
        answer = (
            _signed_post(settings, subscription, identifier, body)
            if subscription.type == "webhook"
            else receivers.send(connection, settings, subscription, identifier, body, fields.get("stream_id"))
        )
        code, error, asked_wait = answer.code, answer.error, answer.retry_after
        if answer.ok:
            outcome = "delivered"
        elif code == 410:
            outcome = "gone"
        else:
            outcome = "retry"
    duration_ms = round((time.perf_counter() - started) * 1000, 1)

    delay: float | None = None
    if outcome == "retry":
        delay = retry_delay(settings, attempt - int(fields.get("series_start", "1")) + 1)
        if delay is None:
            outcome = "failed"
        elif asked_wait is not None:
            delay = max(delay, asked_wait)  # the receiver said when to come back (Retry-After, retry_after)
    next_at = datetime.now(UTC) + timedelta(seconds=delay) if delay is not None else None
    record = {
        "attempt": attempt,
        "at": started_at.isoformat(),
        "duration_ms": duration_ms,
        "status_code": code,
        "error": error,
        "outcome": outcome,
        "next_attempt_at": next_at.isoformat() if next_at else None,
        "replay": int(fields.get("replay_attempt", "0")) == attempt,
    }
    ttl = settings.webhook_delivery_ttl_seconds
    status = "pending" if outcome == "retry" else outcome
    with connection.pipeline(transaction=True) as pipe:
        pipe.rpush(keys.delivery_attempts(identifier), orjson.dumps(record))
        pipe.expire(keys.delivery_attempts(identifier), ttl)
        pipe.hset(
            keys.delivery(identifier),
            mapping={"status": status, "attempts": attempt, "next_attempt": attempt + 1 if delay is not None else 0},
        )
        pipe.expire(keys.delivery(identifier), ttl)
        if outcome == "gone" and subscription is not None:
            subscriptions.set_status(pipe, subscription.id, "disabled", f"HTTP 410 from {subscription.target}")
        elif outcome == "delivered" and subscription is not None and subscription.consecutive_failures:
            subscriptions.update_fields(pipe, subscription.id, {"failures": 0, "paused_until_ms": 0})
        elif outcome in ("retry", "failed") and subscription is not None:
            failures = subscription.consecutive_failures + 1
            pause = retry_delay(settings, min(failures, len(settings.webhook_retry_seconds))) or 0.0
            paused_until_ms = int((time.time() + pause) * 1000)
            subscriptions.update_fields(
                pipe, subscription.id, {"failures": failures, "paused_until_ms": paused_until_ms}
            )
        if delay is not None:
            enqueue_attempt(
                webhook_queue(connection, settings), pipe, identifier, attempt + 1, delay, job_timeout_seconds(settings)
            )
        attempts = metrics.WEBHOOK_ATTEMPTS
        pipe.hincrby(attempts.key, attempts.field([outcome]), 1)  # counted once: with the attempt's record
        pipe.execute()
    kind = subscription.type if subscription is not None else "delivery"
    log.info("%s %s attempt %d: %s (%s) in %.0f ms", kind, identifier, attempt, outcome, code or error, duration_ms)
    return outcome


def _signed_post(
    settings: DeliverySettings, subscription: subscriptions.Subscription, identifier: str, body: bytes
) -> http_post.Answer:
    """A Standard Webhooks POST of the alert's CloudEvent, byte for byte as logged."""
    if subscription.secret is None or subscription.url is None:  # sealed with a key this process lacks
        return http_post.Answer(None, f"not sent: {subscription.secret_problem or 'no secret'}")
    headers = {
        **signing.headers(subscription.secret, identifier, int(time.time()), body),
        "content-type": CLOUDEVENTS_JSON,
        "user-agent": USER_AGENT,
    }
    try:
        targets = addresses.pin(subscription.url, settings.webhook_allow_private_addresses)
    except AddressRefused as refused:
        return http_post.Answer(None, f"not sent: {refused}")  # retried: the name may be repointed
    return http_post.send(targets, body, headers, settings.webhook_timeout_seconds)


def resend_job_id(subscription_id: str) -> str:
    """One resend job per subscription: a resend not yet run is not queued again."""
    return f"alertmanager-resend-{subscription_id}"


WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED})


def enqueue_resend(queue: Queue, connection: redis.Redis, subscription_id: str, timeout: int) -> bool:
    """Queue one resend of an Alertmanager subscription's firing alerts, unless one is still waiting
    or running; whether it was queued."""
    job_id = resend_job_id(subscription_id)
    try:
        if Job.fetch(job_id, connection=connection).get_status() in WAITING:
            return False
    except NoSuchJobError:
        pass
    queue.enqueue(
        RESEND_FUNCTION,
        subscription_id,
        job_id=job_id,
        job_timeout=timeout,
        result_ttl=60,
        failure_ttl=86400,
        description=f"alertmanager resend {subscription_id}",
    )
    return True


def resend_firing(connection: redis.Redis, settings: DeliverySettings, subscription_id: str) -> str:
    """Refresh what an Alertmanager subscription has firing; a failure waits for the next period (each
    alert's `endsAt` leaves room for a few), so it is logged, not retried."""
    subscription = subscriptions.get(connection, subscription_id)
    if subscription is None or subscription.status != "active" or subscription.type != "alertmanager":
        return "skipped"
    answer = receivers.alertmanager.resend(connection, settings, subscription)
    if answer is None:
        return "nothing firing"
    outcome = "resent" if answer.ok else f"not resent: {answer.error}"
    subscriptions.update_fields(
        connection, subscription_id, {"resent_ms": int(time.time() * 1000), "resend_error": answer.error or ""}
    )
    log.info("alertmanager %s: %s", subscription_id, outcome)
    return outcome


def _defer(connection: redis.Redis, settings: DeliverySettings, identifier: str, attempt: int, wait: float) -> str:
    """The endpoint failed a moment ago: move this attempt to the end of its pause instead of spending
    a worker (and a timeout) on it. Not an attempt, so nothing is recorded but the new time."""
    delay = wait + random.uniform(0, 1)  # those deferred together do not all return at once
    with connection.pipeline(transaction=True) as pipe:
        pipe.hset(keys.delivery(identifier), "deferred_until_ms", int((time.time() + delay) * 1000))
        pipe.expire(keys.delivery(identifier), settings.webhook_delivery_ttl_seconds)
        enqueue_attempt(
            webhook_queue(connection, settings), pipe, identifier, attempt, delay, job_timeout_seconds(settings)
        )
        pipe.execute()
    log.info("webhook %s attempt %d deferred %.1fs: its endpoint is failing", identifier, attempt, delay)
    return "deferred"


def replay(connection: redis.Redis, settings: DeliverySettings, identifier: str) -> None:
    """Send a delivery again now, with the same `webhook-id`, restarting the retry schedule. A pending
    delivery is tried at once; the retry that was scheduled for it then finds itself stale."""
    queue = webhook_queue(connection, settings)
    with connection.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(keys.delivery(identifier))  # type: ignore[no-untyped-call]
                raw: Any = pipe.hgetall(keys.delivery(identifier))
                fields = {key.decode(): value.decode() for key, value in raw.items()}
                subscription = subscriptions.get(connection, fields["subscription"])
                if subscription is None or subscription.status == "disabled":
                    raise ReplayRefused(
                        "the subscription is disabled: enable it first" if subscription else "the subscription is gone"
                    )
                attempt = int(fields["next_attempt"]) if fields["status"] == "pending" else int(fields["attempts"]) + 1
                pipe.multi()
                pipe.hset(
                    keys.delivery(identifier),
                    mapping={
                        "status": "pending",
                        "next_attempt": attempt,
                        "series_start": attempt,
                        "replay_attempt": attempt,
                    },
                )
                pipe.expire(keys.delivery(identifier), settings.webhook_delivery_ttl_seconds)
                enqueue_attempt(queue, pipe, identifier, attempt, 0, job_timeout_seconds(settings))
                pipe.execute()
                return
            except redis.WatchError:
                continue
