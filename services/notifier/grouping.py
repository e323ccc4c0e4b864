"""Alert groups, Alertmanager style, with their timers in Redis so restarts and extra notifiers agree.

A place's first event opens its group: `sitrep:alert-groups` gets the place scored by the wall-clock
time it is due (now + group wait), and `sitrep:alert-group:{place}` remembers the report time of
that first event. The leader flushes due groups; a report whose time is past the group's window
closes the group before it is applied, so replaying an archive quickly coalesces exactly what the
live stream would have. After a flush the place stays in the sorted set, due again when a repeat
is. Nothing is held in process memory: a restarted or new leader finds every timer where it was.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import redis
from redis.client import Pipeline

from core import keys, lua
from schemas.situation import Situation
from services.notifier import silences
from services.notifier.evaluate import Notified, Outcome, evaluate
from services.notifier.rules import RuleSet

log = logging.getLogger(__name__)


def next_due_ms(connection: redis.Redis) -> float | None:
    first: Any = connection.zrange(keys.ALERT_GROUPS, 0, 0, withscores=True)
    return float(first[0][1]) if first else None


def due_places(connection: redis.Redis, now: float, limit: int = 100) -> list[str]:
    places: Any = connection.zrangebyscore(keys.ALERT_GROUPS, "-inf", now * 1000, start=0, num=limit)
    return [place.decode() for place in places]


def open_places(connection: redis.Redis) -> list[str]:
    """Places with an open group (not just a repeat timer)."""
    members: Any = connection.zrange(keys.ALERT_GROUPS, 0, -1)
    places = [member.decode() for member in members]
    pipe = connection.pipeline(transaction=False)
    for place in places:
        pipe.exists(keys.alert_group(place))
    return [place for place, is_open in zip(places, pipe.execute(), strict=True) if is_open]


def queue_open(pipe: Pipeline, place_id: str, when: datetime) -> None:
    """Open the place's group record if none is open (its timer goes with `queue_timers`)."""
    pipe.hsetnx(keys.alert_group(place_id), "report_time", when.isoformat())
    pipe.hsetnx(keys.alert_group(place_id), "opened_ms", int(time.time() * 1000))


def queue_timers(pipe: Pipeline, due_ms: dict[str, float]) -> None:
    """Set each place's timer (a group's due time or a repeat's), never pushing back one already set: one
    ZADD LT for all of them."""
    if due_ms:
        pipe.zadd(keys.ALERT_GROUPS, due_ms, lt=True)


def queue_close(pipe: Pipeline, *place_ids: str) -> None:
    """Drop the places' timers and group records: one ZREM and one DEL for all of them."""
    if place_ids:
        pipe.zrem(keys.ALERT_GROUPS, *place_ids)
        pipe.delete(*(keys.alert_group(place_id) for place_id in place_ids))


_READ_LUA = lua.source("services.notifier", "read_places.lua")

PlaceRead = tuple[bytes | None, dict[str, Notified], datetime | None]


def read_places(pipe: Pipeline, place_ids: list[str]) -> dict[str, PlaceRead]:
    """In one round trip (under WATCH), per place: the situation, what was notified, when its open group began."""
    names = [
        name for place in place_ids for name in (keys.situation(place), keys.notified(place), keys.alert_group(place))
    ]
    reply: Any = pipe.eval(_READ_LUA, len(names), *names)
    result: dict[str, PlaceRead] = {}
    for offset, place_id in enumerate(place_ids):
        raw, flat, opened = reply[3 * offset : 3 * offset + 3]
        notified: dict[str, Notified] = {}
        for index in range(0, len(flat), 2):
            try:
                notified[flat[index].decode()] = Notified.model_validate_json(flat[index + 1])
            except ValueError:
                log.error("unreadable notified record %s for %s: treated as never notified", flat[index], place_id)
        result[place_id] = (raw or None, notified, datetime.fromisoformat(opened.decode()) if opened else None)
    return result


def read_silences(connection: redis.Redis) -> list[silences.Silence]:
    raw: Any = connection.hgetall(keys.SILENCES)
    return silences.parse_all(raw)


def evaluate_place(
    situation: Situation, notified: dict[str, Notified], muted: list[silences.Silence], rules: RuleSet, now: float
) -> Outcome:
    """Evaluate the place against the rules, with the silences active now."""
    mute = silences.muter(muted, situation.place_id, datetime.fromtimestamp(now, UTC))
    return evaluate(situation, rules, notified, now, mute)


def queue_notified(pipe: Pipeline, place_id: str, notified: dict[str, Notified]) -> None:
    """In the caller's MULTI: record what was notified for the place, rule (and category) by rule."""
    if notified:
        pipe.hset(keys.notified(place_id), mapping={key: value.model_dump_json() for key, value in notified.items()})
