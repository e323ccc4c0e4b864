"""Turn alert intents into CloudEvents and emit each fingerprint once: stream first, then pub/sub.

The emit script runs inside the same MULTI/EXEC as the situation write, so a state change and
its alert are stored together or not at all, and a fingerprint already emitted (by this notifier
before a restart, or by another one) is never emitted again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

import redis
from redis.client import Pipeline

from core import keys, lua, metrics
from schemas.alerts import Alert, AlertData
from schemas.situation import Situation
from services.notifier.evaluate import AlertIntent

_EMIT_LUA = lua.source("services.notifier", "emit_once.lua")

ALERT_TYPE_PREFIX = "sitrep.alert."
"""Alert types are `sitrep.alert.<kind>`; the metrics count by kind."""

log = logging.getLogger(__name__)


def build_alert(intent: AlertIntent, situation: Situation, source: str) -> Alert:
    place = {"id": situation.place_id, "name": situation.name, "parent": situation.parent}
    data = AlertData(
        place=place,
        before=intent.before,
        after=intent.after,
        events=intent.events,
        reports=intent.reports,
        sources=intent.sources,
        summary=intent.summary,
        fingerprint=intent.fingerprint,
        rule=intent.rule,
        **intent.extra,
    )
    return Alert(
        id=intent.fingerprint,
        source=source,
        type=intent.type,
        subject=situation.place_id,
        time=intent.time,
        data=data,
    )


class AlertEmitter:
    """Queues emit-once writes of alerts on a pipeline, each with its count and report-to-alert latency."""

    def __init__(self, connection: redis.Redis, source: str, fingerprint_ttl_seconds: int) -> None:
        self._connection = connection
        self._script = connection.register_script(_EMIT_LUA)
        self._source = source
        self._ttl = fingerprint_ttl_seconds
        self._queued: list[tuple[int, str, str, str, str]] = []
        """Per alert of the running transaction: its reply's place in EXEC's, id, kind, place, newest report."""

    def begin(self) -> None:
        """A transaction (or its retry after a WATCH conflict) starts: nothing of it is queued yet."""
        self._queued = []

    def settle(self, results: Any) -> None:
        """After EXEC: log each alert the emit script really emitted (not a fingerprint already emitted)."""
        replies = results if isinstance(results, list) else []
        for index, alert_id, kind, place_id, report_id in self._queued:
            if index < len(replies) and replies[index]:
                log.info(
                    "alert emitted: %s at %s",
                    kind,
                    place_id,
                    extra={"alert_id": alert_id, "place_id": place_id, "report_id": report_id or None},
                )
        self._queued = []

    def queue(self, pipe: Pipeline, intents: list[AlertIntent], situation: Situation) -> None:
        received = self._received([intent.reports[-1] for intent in intents if intent.reports])
        now = time.time()
        for intent in intents:
            alert = build_alert(intent, situation, self._source)
            payload = alert.model_dump_json()
            kind = intent.type.removeprefix(ALERT_TYPE_PREFIX)
            stored = received.get(intent.reports[-1]) if intent.reports else None
            latency = max(now - stored, 0.0) if stored is not None else None
            newest = intent.reports[-1] if intent.reports else ""
            self._queued.append((len(pipe.command_stack), alert.id, kind, situation.place_id, newest))
            self._script(
                keys=[
                    keys.alert_fingerprint(intent.fingerprint),
                    keys.ALERTS_STREAM,
                    metrics.ALERTS_EMITTED.key,
                    metrics.REPORT_TO_ALERT.key,
                ],
                args=[
                    payload,
                    self._ttl,
                    keys.ALERTS_CHANNEL,
                    metrics.ALERTS_EMITTED.field([kind]),
                    metrics.REPORT_TO_ALERT.bucket_field(latency) if latency is not None else "",
                    repr(latency or 0.0),
                    metrics.REPORT_TO_ALERT.sum_field(),
                ],
                client=pipe,
            )

    def _received(self, report_ids: list[str]) -> dict[str, float]:
        """When the API stored each report (Unix seconds): one round trip, made only when alerts are due.
        A report already expired, or unreadable, has no latency to count."""
        wanted = list(dict.fromkeys(report_ids))
        if not wanted:
            return {}
        with self._connection.pipeline(transaction=False) as pipe:
            for report_id in wanted:
                pipe.hget(keys.report(report_id), "received_at")
            replies: list[Any] = pipe.execute()
        found: dict[str, float] = {}
        for report_id, raw in zip(wanted, replies, strict=True):
            try:
                found[report_id] = datetime.fromisoformat(raw.decode()).timestamp()
            except (AttributeError, ValueError):
                continue
        return found
