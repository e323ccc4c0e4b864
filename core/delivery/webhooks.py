"""One webhook attempt: sign, POST with short timeouts, record the attempt, schedule the next one.

An attempt runs as an RQ job on its own queue (`sitrep-webhooks`), so a slow or failing endpoint
holds up neither extraction nor other subscribers. Retries are scheduled with `enqueue_at` in the
same MULTI that records the attempt, so an attempt is never recorded without its follow-up or the
other way round. A job only acts if its attempt number is the delivery's next one: a duplicate or
stale job (after a replay, or a claimed crash) does nothing.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import orjson
import redis
from rq import Queue, Retry

from core import keys, logs, metrics
from core.delivery import addresses, signing, subscriptions
from core.errors import AddressRefused, ReplayRefused
from core.settings import DeliverySettings

log = logging.getLogger(__name__)

JOB_FUNCTION = "workers.webhook_jobs.deliver_webhook"
USER_AGENT = "sitrep-webhooks/0.1"
CLOUDEVENTS_JSON = "application/cloudevents+json"
"""The body is the alert's whole CloudEvent (structured mode of the HTTP binding): this type tells a
CloudEvents SDK so, where `application/json` would make it look for `ce-` headers."""
CONNECT_TIMEOUT_SECONDS = 3.0
RESPONSE_EXCERPT_BYTES = 300

Outcome = Literal["delivered", "retry", "failed", "gone", "cancelled"]

_TLS = httpx.create_ssl_context()
"""Made once per process (before the worker forks, as it imports this module first): building one costs
more than a local POST."""


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


def post(
    targets: list[addresses.Pinned],
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    verify: ssl.SSLContext = _TLS,
) -> tuple[int | None, str | None]:
    """(status code, error) of one POST to the first target that accepts a connection; reads at most a
    short excerpt of the answer.

    The next target is tried only when connecting failed or timed out (nothing was sent yet), so no
    attempt can POST twice. Proxy variables are ignored (`trust_env=False`): through a proxy, the
    address the guard checked would not be the one connected to.
    """
    timeout = httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds))
    failures: list[str] = []
    with httpx.Client(timeout=timeout, follow_redirects=False, verify=verify, trust_env=False) as client:
        for target in targets:
            request_headers = httpx.Headers(headers)
            request_headers["host"] = target.host
            extensions = {"sni_hostname": target.sni} if target.sni else None
            request = client.build_request(
                "POST", target.url, content=body, headers=request_headers, extensions=extensions
            )
            try:
                response = client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # the next address may answer
                failures.append(f"{target.address}: {type(error).__name__}: {error}")
                continue
            except httpx.HTTPError as error:
                return None, f"{target.address}: {type(error).__name__}: {error}"[:300]
            try:
                code = response.status_code
                if 200 <= code < 300:
                    return code, None
                excerpt = b""
                for chunk in response.iter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= RESPONSE_EXCERPT_BYTES:
                        break
                text = excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace").strip()
                return code, f"HTTP {code}" + (f": {text}" if text else "")
            except httpx.HTTPError as error:
                return None, f"{target.address}: {type(error).__name__}: {error}"[:300]
            finally:
                response.close()
    return None, ("; ".join(failures) or "no address to send to")[:300]


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
        if subscription.secret is None:  # sealed with a key this process lacks: retried once the keys are fixed
            error = f"not sent: {subscription.secret_problem or 'no secret'}"
        else:
            headers = {
                **signing.headers(subscription.secret, identifier, int(time.time()), body),
                "content-type": CLOUDEVENTS_JSON,
                "user-agent": USER_AGENT,
            }
            try:
                targets = addresses.pin(subscription.url, settings.webhook_allow_private_addresses)
            except AddressRefused as refused:
                error = f"not sent: {refused}"  # retried: the name may be repointed
            else:
                code, error = post(targets, body, headers, settings.webhook_timeout_seconds)
        if code is not None and 200 <= code < 300:
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
            subscriptions.set_status(pipe, subscription.id, "disabled", f"HTTP 410 from {subscription.url}")
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
    log.info(
        "webhook %s attempt %d: %s (%s) in %.0f ms",
        identifier,
        attempt,
        outcome,
        code or error,
        duration_ms,
    )
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
