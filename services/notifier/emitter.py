"""Turn alert intents into CloudEvents and emit each fingerprint once: stream first, then pub/sub.

The emit script runs inside the same MULTI/EXEC as the situation write, so a state change and
its alert are stored together or not at all, and a fingerprint already emitted (by this notifier
before a restart, or by another one) is never emitted again.
"""

from __future__ import annotations

import redis
from redis.client import Pipeline

from core import keys, lua
from schemas.alerts import Alert, AlertData
from schemas.situation import Situation
from services.notifier.evaluate import AlertIntent

_EMIT_LUA = lua.source("services.notifier", "emit_once.lua")


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
    """Queues emit-once writes of alerts on a pipeline."""

    def __init__(self, connection: redis.Redis, source: str, fingerprint_ttl_seconds: int) -> None:
        self._script = connection.register_script(_EMIT_LUA)
        self._source = source
        self._ttl = fingerprint_ttl_seconds

    def queue(self, pipe: Pipeline, intents: list[AlertIntent], situation: Situation) -> None:
        for intent in intents:
            alert = build_alert(intent, situation, self._source)
            payload = alert.model_dump_json()
            self._script(
                keys=[keys.alert_fingerprint(intent.fingerprint), keys.ALERTS_STREAM],
                args=[payload, self._ttl, keys.ALERTS_CHANNEL],
                client=pipe,
            )
