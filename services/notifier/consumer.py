"""The notifier loop: one leader at a time reads `sitrep:events` through a consumer group.

A consumer group gives resumption (a restarted notifier re-reads its pending entries first) and
takeover (a new leader claims what a dead one left pending). One leader at a time, elected with a
lease, keeps events about a place in stream order, so two notifiers give exactly the alert list one
would. Entries are acknowledged only after their state and alerts are written.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime
from typing import Any

import orjson
import redis
from pydantic import ValidationError

from schemas.events import Event
from schemas.situation import Situation
from services import defaults, keys
from services.notifier.emitter import AlertEmitter
from services.notifier.state import EventRecord, apply_event, new_situation
from services.settings import NotifierSettings

log = logging.getLogger(__name__)

LEASE_MILLISECONDS = 5000

_RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


def parse_entry(entry_id: str, fields: dict[bytes, bytes]) -> EventRecord:
    return EventRecord(
        entry_id=entry_id,
        event=Event.model_validate_json(fields[b"event"]),
        report_id=fields[b"report_id"].decode(),
        source=fields[b"source"].decode(),
        published_at=datetime.fromisoformat(fields[b"published_at"].decode()),
    )


class Notifier:
    """Consumes events and keeps situations; `run()` until `stop` is set."""

    def __init__(self, connection: redis.Redis, settings: NotifierSettings) -> None:
        self.connection = connection
        self.settings = settings
        self.consumer = settings.consumer_name or f"{socket.gethostname()}-{os.getpid()}"
        self.stop = threading.Event()
        self._renew = connection.register_script(_RENEW_LUA)
        self._emitter = AlertEmitter(
            connection, settings.alert_source, defaults.ALERT_FINGERPRINT_TTL_SECONDS, settings.alerts_stream_maxlen
        )
        self._leading = False

    def ensure_group(self) -> None:
        try:
            self.connection.xgroup_create(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def hold_lease(self) -> bool:
        held = bool(self._renew(keys=[keys.NOTIFIER_LEADER], args=[self.consumer, LEASE_MILLISECONDS]))
        if held and not self._leading:
            log.info("notifier %s leads", self.consumer)
            self._take_over_pending()
        self._leading = held
        return held

    def _take_over_pending(self) -> None:
        """Claim entries a previous leader read but did not acknowledge, so none is lost."""
        start = "0-0"
        while True:
            reply = self.connection.xautoclaim(
                keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, self.consumer, min_idle_time=0, start_id=start, count=500
            )
            start = reply[0].decode() if isinstance(reply[0], bytes) else str(reply[0])
            if start == "0-0":
                return

    def run(self) -> None:
        self.ensure_group()
        while not self.stop.is_set():
            if not self.hold_lease():
                self.stop.wait(LEASE_MILLISECONDS / 3000)
                continue
            self.step(block_milliseconds=defaults.NOTIFIER_BLOCK_MILLISECONDS)
        self.connection.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            1,
            keys.NOTIFIER_LEADER,
            self.consumer,
        )

    def step(self, block_milliseconds: int | None = None) -> int:
        """Read and handle one batch: own pending entries first, then new ones. Returns entries handled."""
        reply: Any = self.connection.xreadgroup(
            keys.NOTIFIER_GROUP, self.consumer, {keys.EVENTS_STREAM: "0"}, count=defaults.NOTIFIER_BATCH
        )
        entries = reply[0][1] if reply else []
        if not entries:
            reply = self.connection.xreadgroup(
                keys.NOTIFIER_GROUP,
                self.consumer,
                {keys.EVENTS_STREAM: ">"},
                count=defaults.NOTIFIER_BATCH,
                block=block_milliseconds,
            )
            entries = reply[0][1] if reply else []
        for entry_id, fields in entries:
            self.handle(entry_id.decode(), fields)
        return len(entries)

    def handle(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        """Apply one entry; a malformed entry is logged and acknowledged, never retried for ever."""
        try:
            record = parse_entry(entry_id, fields)
        except (KeyError, ValueError, ValidationError) as error:
            log.error("dropping malformed stream entry %s: %s", entry_id, error)
            self.connection.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, entry_id)
            return
        if record.event.place is not None:
            self._apply(record)
        self.connection.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, entry_id)

    def _apply(self, record: EventRecord) -> None:
        assert record.event.place is not None
        key = keys.situation(record.event.place.id)

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            situation = Situation.model_validate_json(raw) if raw else new_situation(record)
            intents = apply_event(situation, record)
            pipe.multi()
            pipe.set(key, orjson.dumps(situation.model_dump(mode="json")))
            pipe.sadd(keys.SITUATION_INDEX, situation.place_id)
            self._emitter.queue(pipe, intents, situation)

        self.connection.transaction(transaction, key)
