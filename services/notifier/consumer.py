"""The notifier loop: one leader at a time reads `sitrep:events` through a consumer group.

A consumer group gives resumption (a restarted notifier re-reads its pending entries first) and
takeover (a new leader claims what a dead one left pending). One leader at a time, elected with a
lease, keeps events about a place in stream order, so two notifiers give exactly the alert list one
would. A batch of entries is applied in one MULTI (batch.py) that writes their state and alerts
and acknowledges them; when a batch fails, each entry is applied alone (`handle`), a batch of one.

Alerts go through groups (see grouping.py): with a group wait of 0 an event's alerts are written
in the same MULTI as its situation; otherwise the place's group is flushed when it is due.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import redis
from pydantic import ValidationError

from core import defaults, keys, lua
from core.redis_conn import sync_client
from core.service_loop import run_until_stopped, serve
from core.settings import NotifierSettings
from core.streams import StreamTrimmer
from schemas.events import Event
from schemas.situation import Situation
from services.notifier import grouping
from services.notifier.batch import Batch, load_situation
from services.notifier.emitter import AlertEmitter
from services.notifier.evaluate import Outcome
from services.notifier.rules import RuleSet, RulesSource
from services.notifier.silences import Silence
from services.notifier.state import SITUATION_KINDS, EventRecord

log = logging.getLogger(__name__)


LEASE_MILLISECONDS = 5000

_RENEW_LUA = lua.source("services.notifier", "lease_renew.lua")
_RELEASE_LUA = lua.source("services.notifier", "lease_release.lua")

_SITUATION_KIND_NAMES = frozenset(kind.value.encode() for kind in SITUATION_KINDS)


def parse_entry(entry_id: str, fields: dict[bytes, bytes]) -> EventRecord:
    """A stream entry: a plain event, or a canonical one (event plus mentions, sources, independent_sources)."""
    data: Any = orjson.loads(fields[b"event"])
    if not isinstance(data, dict):
        raise ValueError("event is not a JSON object")
    canonical = "independent_sources" in data or "sources" in data or b"change" in fields
    source = fields[b"source"].decode()
    raw_sources = data.get("sources")
    sources = [str(item) for item in raw_sources if item] if isinstance(raw_sources, list) else []
    independent = data.get("independent_sources", 1)
    return EventRecord(
        entry_id=entry_id,
        event=Event.model_validate(data),  # Event ignores the canonical fields (mentions, sources...)
        report_id=fields[b"report_id"].decode(),
        source=source,
        published_at=datetime.fromisoformat(fields[b"published_at"].decode()),
        canonical=canonical,
        independent_sources=independent if isinstance(independent, int) and independent > 0 else 1,
        sources=sources or [source],
        change=fields.get(b"change", b"created").decode(),
    )


class Notifier:
    """Consumes events and keeps situations; `run()` until `stop` is set."""

    def __init__(self, connection: redis.Redis, settings: NotifierSettings) -> None:
        self.connection = connection
        self.settings = settings
        self.consumer = settings.consumer_name or f"{socket.gethostname()}-{os.getpid()}"
        self.stop = threading.Event()
        self._renew = connection.register_script(_RENEW_LUA)
        self._emitter = AlertEmitter(connection, settings.alert_source, defaults.ALERT_FINGERPRINT_TTL_SECONDS)
        # The leader trims the log it writes, by length, never past what the dispatchers have not read.
        self._alerts_trimmer = StreamTrimmer(connection, keys.ALERTS_STREAM, settings.alerts_stream_maxlen)
        self._rules_source = RulesSource(connection, Path(settings.rules_file) if settings.rules_file else None)
        self._rules_checked = -1e9
        self._rules = self._rules_source.rules
        self._silences: list[Silence] = []
        self._leading = False

    @property
    def rules(self) -> RuleSet:
        """The shared rules, looked at again at most once a second."""
        if time.monotonic() - self._rules_checked >= defaults.RULES_CHECK_SECONDS:
            self._rules_checked = time.monotonic()
            rules = self._rules_source.refresh()
            wait = self.settings.group_wait_seconds
            self._rules = rules if wait is None else rules.model_copy(update={"group_wait_seconds": wait})
        return self._rules

    def reload_rules(self) -> RuleSet:
        self._rules_checked = -1e9
        return self.rules

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
        """Lead (or wait to) and apply events until `stop` is set; then give up the lease."""
        self.ensure_group()
        run_until_stopped(self.stop, self._lead_once, self._recover)
        with contextlib.suppress(redis.RedisError):  # Redis away at stop: the lease lapses by itself
            self.connection.eval(_RELEASE_LUA, 1, keys.NOTIFIER_LEADER, self.consumer)

    def drain(self) -> None:
        """Apply every event left to read, then flush the open groups: idle means done, so no burst
        is left waiting for its group wait."""
        self.ensure_group()
        while self.hold_lease() and self.step(block_milliseconds=None):
            pass
        if self.hold_lease():
            self.flush_open()

    def _lead_once(self) -> None:
        if not self.hold_lease():  # a Redis blip here goes to _recover: it must not end the process
            self.stop.wait(LEASE_MILLISECONDS / 3000)
            return
        self.rules  # noqa: B018  (copies an edited rules file into Redis within a second, even when idle)
        self.flush_due()
        self.step(block_milliseconds=self._block_milliseconds())
        self._alerts_trimmer.maybe_trim()

    def _recover(self, error: Exception) -> float | None:
        if not isinstance(error, redis.RedisError):
            return None
        log.warning("redis unavailable (%s); retrying in a second", error)
        # The lease may lapse meanwhile and another notifier lead (and die): when this one leads
        # again it must claim what that one left pending, as on a first take-over.
        self._leading = False
        return 1.0

    def _block_milliseconds(self) -> int:
        """Block on the stream until new entries come or the next group is due, whichever is first."""
        due = grouping.next_due_ms(self.connection)
        if due is None:
            return defaults.NOTIFIER_BLOCK_MILLISECONDS
        return int(max(1, min(defaults.NOTIFIER_BLOCK_MILLISECONDS, due - time.time() * 1000 + 1)))

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
        if entries:
            self._silences = grouping.read_silences(self.connection)  # once a batch, not once an event
            self.handle_batch([(entry_id.decode(), fields) for entry_id, fields in entries])
        return len(entries)

    def handle_batch(self, entries: list[tuple[str, dict[bytes, bytes]]]) -> None:
        """Apply entries in one MULTI; if that fails for any reason but Redis, apply them one at a time."""
        records: list[EventRecord] = []
        acks: list[str] = []
        for entry_id, fields in entries:
            acks.append(entry_id)
            kind = fields.get(b"kind")
            if kind is not None and kind not in _SITUATION_KIND_NAMES:
                continue  # the worker names the kind beside the JSON: most entries are skipped unparsed
            try:
                record = parse_entry(entry_id, fields)
            except (KeyError, ValueError, ValidationError, orjson.JSONDecodeError) as error:
                log.error("dropping malformed stream entry %s: %s", entry_id, error)
                continue
            if record.event.place is not None and record.event.kind in SITUATION_KINDS:
                records.append(record)  # attacks, strikes, talks...: stored events, but no part of a situation
        try:
            Batch(records, acks, self.rules, self._silences).run(self.connection, self._emitter)
        except redis.RedisError:
            raise
        except Exception:
            log.exception("batch of %d entries failed; applying them one at a time", len(entries))
            for entry_id, fields in entries:
                self.handle(entry_id, fields)

    def handle(self, entry_id: str, fields: dict[bytes, bytes]) -> None:
        """Apply one entry (a batch of one); a malformed entry is logged and acknowledged, never retried for ever."""
        try:
            record = parse_entry(entry_id, fields)
        except (KeyError, ValueError, ValidationError, orjson.JSONDecodeError) as error:
            log.error("dropping malformed stream entry %s: %s", entry_id, error)
            self.connection.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, entry_id)
            return
        if record.event.place is None or record.event.kind not in SITUATION_KINDS:
            self.connection.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, entry_id)
            return
        try:
            Batch([record], [entry_id], self.rules, self._silences).run(self.connection, self._emitter)
        except redis.RedisError:
            raise  # Redis is away: the entry stays pending and is retried
        except Exception:
            # A bug must not block every later event behind this one; the event itself stays stored.
            log.exception("entry %s could not be applied; acknowledged so the stream moves on", entry_id)
            self.connection.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, entry_id)

    def flush(self, place_id: str) -> None:
        """Evaluate a place's group: one alert per rule for the whole burst, repeats, notices."""
        self.flush_places([place_id])

    def flush_places(self, place_ids: list[str]) -> None:
        """`flush` for several places in one transaction: one read of the silences, one WATCH, one read of
        the places and one MULTI for all of them, their alerts in the order of `place_ids`."""
        rules = self.rules
        now = time.time()
        mutes = grouping.read_silences(self.connection)

        def transaction(pipe: Any) -> None:
            self._emitter.begin()
            read = grouping.read_places(pipe, place_ids)
            outcomes: list[tuple[str, Situation | None, Outcome | None]] = []
            for place_id in place_ids:
                raw, notified, _ = read[place_id]
                situation = load_situation(raw, place_id)
                outcome = grouping.evaluate_place(situation, notified, mutes, rules, now) if situation else None
                outcomes.append((place_id, situation, outcome))
            pipe.multi()
            grouping.queue_close(pipe, *place_ids)  # every flushed group closes; a repeat sets a new timer
            repeats: dict[str, float] = {}
            for place_id, situation, outcome in outcomes:
                if situation is None or outcome is None:
                    continue
                self._emitter.queue(pipe, outcome.intents, situation)
                grouping.queue_notified(pipe, place_id, outcome.notified)
                if outcome.repeat_due is not None:
                    repeats[place_id] = outcome.repeat_due * 1000
            grouping.queue_timers(pipe, repeats)

        watched = [name for place in place_ids for name in (keys.situation(place), keys.notified(place))]
        self._emitter.settle(self.connection.transaction(transaction, *watched))

    def flush_open(self) -> int:
        """Flush every open group now, due or not; returns how many."""
        places = grouping.open_places(self.connection)
        for place_id in places:
            self.flush(place_id)
        return len(places)

    def flush_due(self) -> int:
        """Flush every group whose time has come (in one transaction; one at a time if that fails); returns
        how many."""
        due = grouping.due_places(self.connection, time.time())
        if not due:
            return 0
        try:
            self.flush_places(due)
            return len(due)
        except redis.RedisError:
            raise
        except Exception:
            log.exception("flushing %d groups together failed; flushing them one at a time", len(due))
        for place_id in due:
            try:
                self.flush(place_id)
            except redis.RedisError:
                raise
            except Exception:
                log.exception("group of %s could not be flushed; closed so it cannot fire for ever", place_id)
                pipe = self.connection.pipeline(transaction=True)
                grouping.queue_close(pipe, place_id)  # the timer and the group record: a later event opens anew
                pipe.execute()
        return len(due)


def run_notifier(settings: NotifierSettings, until_idle: bool = False) -> int:
    """`sitrep notifier`: until SIGTERM/SIGINT, or until no event is left to read with `until_idle`."""
    return serve(Notifier(sync_client(settings.redis_url), settings), until_idle)
