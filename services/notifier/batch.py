"""Apply stream entries in one WATCH/MULTI: the notifier's one apply path, for a batch or a single entry.

Every place the batch touches is read in one script call; the events are applied in stream order
in memory (a report past its place's open group first closes and evaluates that group, as the burst
would have ended live); then one MULTI writes the situations, the alerts in the order they arose,
the notified records, the group timers and the acknowledgements. Only the leader writes these keys;
WATCH makes a notifier that lost its lease without knowing retry on fresh state instead of overwriting.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis

from core import keys
from schemas.situation import Situation
from services.notifier import grouping
from services.notifier.emitter import AlertEmitter
from services.notifier.evaluate import AlertIntent, Notified, Outcome
from services.notifier.rules import RuleSet
from services.notifier.silences import Silence
from services.notifier.state import EventRecord, apply_event, new_situation, report_time

log = logging.getLogger(__name__)


@dataclass
class _Place:
    situation: Situation | None
    notified: dict[str, Notified]
    group_opened: datetime | None
    changed: bool = False
    notified_changed: set[str] = field(default_factory=set)
    closed: bool = False
    opened: tuple[datetime, float] | None = None
    repeat_due: float | None = None


def load_situation(raw: bytes | None, place_id: str) -> Situation | None:
    """The stored situation; an unreadable one is logged and started afresh rather than stopping alerts."""
    if not raw:
        return None
    try:
        return Situation.model_validate_json(raw)
    except ValueError as error:
        log.error("unreadable situation for %s, starting afresh: %s", place_id, error)
        return None


class Batch:
    """One batch of records for one MULTI."""

    def __init__(self, records: list[EventRecord], acks: list[str], rules: RuleSet, silences: list[Silence]) -> None:
        self.records = records
        self.acks = acks
        self.rules = rules
        self.silences = silences
        self.places = list(dict.fromkeys(record.event.place.id for record in records if record.event.place))

    def watched(self) -> list[str]:
        return [name for place in self.places for name in (keys.situation(place), keys.notified(place))]

    def run(self, connection: redis.Redis, emitter: AlertEmitter) -> None:
        emitter.settle(connection.transaction(lambda pipe: self._transaction(pipe, emitter), *self.watched()))

    def _transaction(self, pipe: Any, emitter: AlertEmitter) -> None:
        emitter.begin()
        now = time.time()
        wait = self.rules.group_wait_seconds
        read = grouping.read_places(pipe, self.places) if self.places else {}
        states = {
            place: _Place(load_situation(raw, place), notified, opened)
            for place, (raw, notified, opened) in read.items()
        }
        emitted: list[tuple[list[AlertIntent], str]] = []

        def settle(state: _Place, outcome: Outcome) -> None:
            assert state.situation is not None
            if outcome.intents:
                emitted.append((outcome.intents, state.situation.place_id))
            state.notified.update(outcome.notified)
            state.notified_changed.update(outcome.notified)
            if outcome.repeat_due is not None:
                state.repeat_due = min(outcome.repeat_due, state.repeat_due or outcome.repeat_due)

        for record in self.records:
            assert record.event.place is not None
            state = states[record.event.place.id]
            when = report_time(record)
            if wait > 0 and state.group_opened is not None and when > state.group_opened + timedelta(seconds=wait):
                # The report is past the group's window in report time: the burst is over, as it would be live.
                # Closing drops the place's timer; the evaluation re-arms a repeat if one is due.
                state.group_opened, state.opened, state.closed, state.repeat_due = None, None, True, None
                if state.situation is not None:
                    settle(state, self._evaluate(state, now))
            situation = state.situation or new_situation(record)
            if not apply_event(situation, record):
                continue
            state.situation, state.changed = situation, True
            if wait == 0:
                settle(state, self._evaluate(state, now))
            elif state.group_opened is None:
                state.group_opened, state.opened = when, (when, now + wait)

        pipe.multi()
        # One MSET and one SADD for every changed situation (with the list's version token), one ZREM and DEL for
        # the closed groups, one ZADD LT for the timers: a command per place each cost the notifier as much.
        changed = {place: states[place].situation for place in self.places if states[place].changed}
        written = {
            keys.situation(place): situation.model_dump_json() for place, situation in changed.items() if situation
        }
        if written:
            written[keys.SITUATION_VERSION] = uuid.uuid4().hex  # random: a flushed Redis never repeats an old one
            pipe.mset(written)
            pipe.sadd(keys.SITUATION_INDEX, *(place for place, situation in changed.items() if situation))
        for intents, place in emitted:
            holder = states[place].situation
            assert holder is not None
            emitter.queue(pipe, intents, holder)
        grouping.queue_close(pipe, *(place for place in self.places if states[place].closed))
        timers: dict[str, float] = {}
        for place in self.places:
            state = states[place]
            grouping.queue_notified(pipe, place, {key: state.notified[key] for key in state.notified_changed})
            due = [state.repeat_due] if state.repeat_due is not None else []
            if state.opened is not None:
                grouping.queue_open(pipe, place, state.opened[0])
                due.append(state.opened[1])
            if due:
                timers[place] = min(due) * 1000  # the sooner of the two, as two ZADD LT would leave it
        grouping.queue_timers(pipe, timers)
        if self.acks:
            pipe.xack(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, *self.acks)

    def _evaluate(self, state: _Place, now: float) -> Outcome:
        assert state.situation is not None
        return grouping.evaluate_place(state.situation, dict(state.notified), self.silences, self.rules, now)
