"""`sitrep dispatcher`: turns each alert in the log into one webhook job per matching subscription.

It reads `sitrep:alerts:log` through the consumer group `webhooks`, so an alert logged while no
dispatcher ran is read when one starts, and any number of dispatchers share the work (each entry
goes to one). For one entry, the delivery records, their first jobs and the XACK are one
MULTI/EXEC under WATCH of the delivery keys: a crash before it leaves the entry pending (a live
dispatcher claims it after `dispatcher_claim_idle_milliseconds`), a crash after it has done
everything, and a delivery that already exists is never queued again. No lease is needed.

Every subscription type is delivered this way (core/delivery/receivers/). Alertmanager subscriptions
also need their firing alerts sent again every `resend_seconds`: each dispatcher looks once a second
(at an index of their periods), and the one that sets a subscription's lease for the period queues
that resend, unless the last one has not run yet (a stopped worker gets one resend, not a backlog).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

import orjson
import redis

from core import defaults, keys, metrics
from core.delivery import stream, subscriptions, webhooks
from core.delivery.subscriptions import Subscription
from core.redis_conn import sync_client
from core.service_loop import run_until_stopped, serve
from core.settings import DeliverySettings
from core.streams import StreamTrimmer

log = logging.getLogger(__name__)

TRIM_EVERY_SECONDS = 60.0
BATCH = 100


class Dispatcher:
    """One consumer of the `webhooks` group."""

    def __init__(self, connection: redis.Redis, settings: DeliverySettings, consumer_name: str | None = None) -> None:
        self.connection = connection
        self.settings = settings
        self.name = consumer_name or settings.consumer_name or f"{socket.gethostname()}-{os.getpid()}"
        self.queue = webhooks.webhook_queue(connection, settings)
        self.stop = threading.Event()
        # The age trim, if asked for: never past what a group (these dispatchers') has not read (core/streams.py).
        self._trimmer = (
            StreamTrimmer(
                connection,
                keys.ALERTS_STREAM,
                settings.alerts_stream_maxlen,
                every_seconds=TRIM_EVERY_SECONDS,
                max_age_seconds=settings.alerts_stream_max_age_seconds,
            )
            if settings.alerts_stream_max_age_seconds > 0
            else None
        )
        self.enqueued = 0
        self.resends = 0
        self._next_resend_check = 0.0

    def ensure_group(self) -> None:
        """Create the group where delivery can begin: after the newest entry, or before the oldest
        subscription if that is earlier. An alert logged before every subscription goes to nobody,
        so a first start does not walk a long history for nothing. (Newest entry first, then the
        subscriptions: one made in between only takes alerts after it, which come after that entry.)"""
        newest: Any = self.connection.xrevrange(keys.ALERTS_STREAM, count=1)
        start = stream.parse_id(newest[0][0]) if newest else (0, 0)
        created = [s.created_ms for s in subscriptions.list_all(self.connection)]
        if created and min(created) - 1 < start[0]:
            start = (max(min(created) - 1, 0), 2**64 - 1)  # the whole millisecond before it
        try:
            self.connection.xgroup_create(
                keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP, id=f"{start[0]}-{start[1]}", mkstream=True
            )
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def step(self, block_milliseconds: int | None = defaults.DISPATCHER_BLOCK_MILLISECONDS) -> int:
        """Handle stale entries of dead consumers, then new ones; returns how many entries were handled."""
        claimed: Any = self.connection.xautoclaim(
            keys.ALERTS_STREAM,
            keys.WEBHOOKS_GROUP,
            self.name,
            min_idle_time=self.settings.dispatcher_claim_idle_milliseconds,
            start_id="0-0",
            count=BATCH,
        )
        entries = list(claimed[1])  # an entry trimmed meanwhile comes with no fields: acked unsent
        if not entries:
            reply: Any = self.connection.xreadgroup(
                keys.WEBHOOKS_GROUP, self.name, {keys.ALERTS_STREAM: ">"}, count=BATCH, block=block_milliseconds
            )
            entries = [entry for _, batch in reply or [] for entry in batch]
        if entries:
            active = [s for s in subscriptions.list_all(self.connection) if s.status == "active"]
            for entry_id, fields in entries:
                self.handle(entry_id.decode(), fields, active)
        self._maybe_trim()
        self._maybe_resend()
        return len(entries)

    def _maybe_resend(self) -> None:
        """Queue the resend of each Alertmanager subscription whose period has come (one dispatcher
        wins each period's lease, so two dispatchers do not send twice as often). Reads the index of
        periods only: no subscription is loaded or unsealed here."""
        now = time.monotonic()
        if now < self._next_resend_check:
            return
        self._next_resend_check = now + defaults.ALERTMANAGER_RESEND_CHECK_SECONDS
        for subscription_id, period_ms in subscriptions.resend_periods(self.connection).items():
            lease = keys.alertmanager_resend(subscription_id)
            if not self.connection.set(lease, self.name, nx=True, px=max(period_ms, 1)):
                continue
            if not self.connection.exists(keys.alertmanager_firing(subscription_id)):
                continue
            timeout = webhooks.job_timeout_seconds(self.settings)
            if webhooks.enqueue_resend(self.queue, self.connection, subscription_id, timeout):
                self.resends += 1

    def handle(self, entry_id: str, fields: dict[bytes, bytes] | None, active: list[Subscription]) -> None:
        """Queue the first attempt of every new delivery of this entry, and acknowledge it, at once."""
        alert: dict[str, Any] | None = None
        raw = (fields or {}).get(keys.ALERTS_STREAM_FIELD.encode())
        if raw is not None:
            try:
                alert = orjson.loads(raw)
            except orjson.JSONDecodeError:
                log.warning("alert log entry %s is not JSON; acknowledged without delivery", entry_id)
        logged_ms = stream.entry_millis(entry_id)
        targets = []
        if isinstance(alert, dict) and raw is not None and not self.quiet(alert):
            targets = [s for s in active if s.created_ms <= logged_ms and s.filters.matches(alert)]
        ids = {subscription.id: subscriptions.delivery_id(subscription.id, entry_id) for subscription in targets}
        ttl = self.settings.webhook_delivery_ttl_seconds
        timeout = webhooks.job_timeout_seconds(self.settings)
        with self.connection.pipeline(transaction=True) as pipe:
            while True:
                try:
                    if ids:
                        pipe.watch(*(keys.delivery(identifier) for identifier in ids.values()))  # type: ignore[no-untyped-call]
                    existing = {i for i in ids.values() if pipe.exists(keys.delivery(i))} if ids else set()
                    now_ms = int(time.time() * 1000)
                    pipe.multi()
                    created = 0
                    for subscription in targets:
                        identifier = ids[subscription.id]
                        if identifier in existing:
                            continue
                        assert alert is not None and raw is not None
                        pipe.hset(
                            keys.delivery(identifier),
                            mapping={
                                "subscription": subscription.id,
                                "stream_id": entry_id,
                                "alert_id": str(alert.get("id", "")),
                                "alert_type": str(alert.get("type", "")),
                                "body": raw,
                                "created_ms": now_ms,
                                "status": "pending",
                                "attempts": 0,
                                "next_attempt": 1,
                                "series_start": 1,
                            },
                        )
                        pipe.expire(keys.delivery(identifier), ttl)
                        index = keys.subscription_deliveries(subscription.id)
                        pipe.zadd(index, {identifier: now_ms})
                        pipe.zremrangebyscore(index, "-inf", now_ms - ttl * 1000)
                        pipe.expire(index, ttl)
                        webhooks.enqueue_attempt(self.queue, pipe, identifier, 1, 0, timeout)
                        created += 1
                    pipe.xack(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP, entry_id)
                    # Counted in the MULTI that acknowledges the entry: once, however often it is retried.
                    pipe.hincrby(metrics.ALERTS_SEEN.key, metrics.ALERTS_SEEN.field(()), 1)
                    if created:
                        pipe.hincrby(metrics.DELIVERIES_CREATED.key, metrics.DELIVERIES_CREATED.field(()), created)
                    pipe.execute()
                    self.enqueued += created
                    alert_id = str(alert.get("id", "")) if isinstance(alert, dict) else None
                    log.info(
                        "alert log entry %s: %d deliveries queued", entry_id, created, extra={"alert_id": alert_id}
                    )
                    return
                except redis.WatchError:
                    continue

    def quiet(self, alert: dict[str, Any]) -> bool:
        """Whether the report that caused the alert (the newest it names) asked for quiet delivery
        (`sitrep import --quiet-delivery`): the alert stays in the log, nobody is sent it."""
        data = alert.get("data")
        reports = data.get("reports") if isinstance(data, dict) else None
        if not isinstance(reports, list) or not reports:
            return False
        payload = self.connection.hget(keys.report(str(reports[-1])), "report")
        if not payload:
            return False
        try:
            return orjson.loads(payload).get("quiet_delivery") is True
        except (orjson.JSONDecodeError, AttributeError):
            return False

    def _maybe_trim(self) -> None:
        if self._trimmer is None:
            return
        trimmed = self._trimmer.maybe_trim()
        if trimmed is not None and trimmed.removed:
            log.info("trimmed %d alerts older than %ss from the log", trimmed.removed, self._trimmer.max_age_seconds)

    def run(self) -> None:
        """Until `stop` is set; a lost Redis connection is retried, never fatal."""
        self.ensure_group()
        log.info("dispatcher %s reading %s as group %s", self.name, keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP)
        run_until_stopped(self.stop, self.step, self._recover)

    def drain(self) -> None:
        """Handle every alert left to read, then return."""
        self.ensure_group()
        while self.step(block_milliseconds=None):
            pass

    def _recover(self, error: Exception) -> float:
        if isinstance(error, redis.ConnectionError | redis.TimeoutError):
            log.warning("redis unavailable (%s); retrying", error)
            return 1.0
        if isinstance(error, redis.ResponseError) and "NOGROUP" in str(error):
            self.ensure_group()  # the log was deleted (e.g. FLUSHALL): start again on the new one
            return 0.0
        # A bug must not stop webhooks for good: the entry stays pending and is retried.
        log.exception("dispatcher step failed; retrying")
        return 1.0


def run_dispatcher(settings: DeliverySettings, until_idle: bool = False) -> int:
    """`sitrep dispatcher`: until SIGTERM/SIGINT, or until nothing is left to read with `until_idle`."""
    return serve(Dispatcher(sync_client(settings.redis_url), settings), until_idle)
