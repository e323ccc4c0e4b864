"""Paging through canonical events in creation order, with filters: `GET /v1/events` and its exports.

Creation order, because the event date and the last change move when a mention arrives, and a cursor
over a moving order skips or repeats events; a new event only extends it (docs/api.md). Filters apply
to the rendered events, so a page reads a bounded number and may hold fewer than asked for.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

import orjson
import redis
import redis.asyncio
from fastapi import HTTPException, Query, status

from core import keys, lua
from core.event_reader import read_events_async
from schemas.events import EventKind

log = logging.getLogger(__name__)

Order = Literal["asc", "desc"]
_KINDS = tuple(kind.value for kind in EventKind)
_CHUNK = 200
"""Events rendered per script call: one call runs alone in Redis, so it must stay short."""


@dataclass(frozen=True)
class EventFilter:
    """Which events a reader wants. Within a field the values are alternatives; across fields all must match."""

    date_from: date | None = None
    date_to: date | None = None
    kind: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    located: bool | None = None
    _countries: frozenset[str] = field(init=False, repr=False, compare=False)
    _actors: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_countries", frozenset(c.lower() for c in self.country))
        object.__setattr__(self, "_actors", frozenset(a.lower() for a in self.actor))

    def matches(self, event: dict[str, Any]) -> bool:
        """True when the rendered event (CanonicalEvent JSON as a dict) passes every non-empty field."""
        if self.kind and event.get("kind") not in self.kind:
            return False
        if self.date_from is not None or self.date_to is not None:
            day = (event.get("time") or {}).get("date")
            if day is None:
                return False
            if self.date_from is not None and day < self.date_from.isoformat():
                return False
            if self.date_to is not None and day > self.date_to.isoformat():
                return False
        place = event.get("place") or {}
        if self._countries and str(place.get("country") or "").lower() not in self._countries:
            return False
        if self.place:
            place_id = str(place.get("id") or "")
            if not any(place_id == p or place_id.startswith(p + "/") for p in self.place):
                return False
        if self.located is not None and (place.get("lat") is not None and place.get("lon") is not None) != self.located:
            return False
        if self._actors:
            named = set()
            for role in ("actor", "previous_actor", "to"):
                actor = event.get(role)
                if actor:
                    named.add(str(actor.get("id", "")).lower())
                    named.add(str(actor.get("name", "")).lower())
            if not named & self._actors:
                return False
        return True


def _split(values: list[str] | None) -> tuple[str, ...]:
    """Repeated parameters and comma-separated values both work: `kind=a&kind=b` and `kind=a,b`."""
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def event_filter(
    date_from: Annotated[
        date | None, Query(alias="from", description="Events dated on or after this day (the event's date)")
    ] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Events dated on or before this day")] = None,
    kind: Annotated[
        list[str] | None, Query(description=f"Event kind ({', '.join(_KINDS)}); repeatable or comma-separated")
    ] = None,
    country: Annotated[
        list[str] | None, Query(description="Country of the event's place, as named there (e.g. Syria); repeatable")
    ] = None,
    actor: Annotated[
        list[str] | None,
        Query(description="Actor id or name (e.g. sdf): the actor, the previous holder or to whom; repeatable"),
    ] = None,
    place: Annotated[
        list[str] | None, Query(description="Place id (e.g. raqqa); includes places inside it; repeatable")
    ] = None,
    located: Annotated[
        bool | None, Query(description="true: only events with coordinates; false: only those without")
    ] = None,
) -> EventFilter:
    """The filter as query parameters; FastAPI answers 422 (problem+json) for a bad date or kind."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"from ({date_from}) is after to ({date_to})")
    kinds = _split(kind)
    unknown = [k for k in kinds if k not in _KINDS]
    if unknown:
        problem = {"loc": ["query", "kind"], "msg": f"unknown kind {unknown[0]!r}; one of {', '.join(_KINDS)}"}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{**problem, "type": "enum"}])
    return EventFilter(
        date_from=date_from,
        date_to=date_to,
        kind=kinds,
        country=_split(country),
        actor=_split(actor),
        place=tuple(p.strip("/").lower() for p in _split(place)),
        located=located,
    )


@dataclass(frozen=True)
class Position:
    """Where a reader is: the creation number of the last event it was shown (or passed), and the direction."""

    order: Order
    after: int | None = None

    def encode(self) -> str:
        raw = orjson.dumps({"v": 1, "o": self.order, "s": self.after})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """The position a cursor names; ValueError if it is not one this API made."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            value = orjson.loads(raw)
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            raise ValueError("not a cursor this API gave out") from None
        if not isinstance(value, dict) or value.get("v") != 1 or value.get("o") not in ("asc", "desc"):
            raise ValueError("not a cursor this API gave out")
        after = value.get("s")
        if after is not None and (not isinstance(after, int) or isinstance(after, bool) or after < 0):
            raise ValueError("not a cursor this API gave out")
        return cls(order=value["o"], after=after)


def start_position(cursor: str | None, order: Order | None) -> Position:
    """The position to read after: the cursor's, or the start in `order` (newest first by default); an
    `order` that contradicts the cursor is a 422."""
    if cursor is None:
        return Position(order=order or "desc")
    try:
        position = Position.decode(cursor)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"cursor: {error}") from None
    if order is not None and order != position.order:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"order={order} contradicts the cursor, which reads {position.order}"
        )
    return position


async def _ids_after(client: redis.asyncio.Redis, position: Position, count: int) -> list[tuple[str, int]]:
    after = position.after
    if position.order == "asc":
        low = "-inf" if after is None else f"({after}"
        raw: Any = await client.zrangebyscore(keys.EVENTS_BY_SEQUENCE, low, "+inf", start=0, num=count, withscores=True)
    else:
        high = "+inf" if after is None else f"({after}"
        raw = await client.zrevrangebyscore(keys.EVENTS_BY_SEQUENCE, high, "-inf", start=0, num=count, withscores=True)
    return [(member.decode(), int(score)) for member, score in raw]


async def scan(
    client: redis.asyncio.Redis, position: Position, mentions: int, chunk: int = _CHUNK
) -> AsyncIterator[tuple[Position, dict[str, Any] | None]]:
    """Every event after `position`, rendered, with the position just past it (None where the event has
    expired since it was indexed); ends at the end of the index as it is when it gets there."""
    while True:
        ids = await _ids_after(client, position, chunk)
        if not ids:
            return
        rendered = await read_events_async(client, [event_id for event_id, _ in ids], mentions)
        for (_, sequence), raw in zip(ids, rendered, strict=True):
            position = Position(position.order, sequence)
            yield position, (orjson.loads(raw) if raw is not None else None)
        if len(ids) < chunk:
            return


@dataclass
class Page:
    events: list[dict[str, Any]]
    position: Position
    has_more: bool


async def read_page(
    client: redis.asyncio.Redis,
    position: Position,
    wanted: EventFilter,
    limit: int,
    mentions: int,
    budget: int,
) -> Page:
    """Up to `limit` matching events after `position`, reading at most `budget` events from the index."""
    events: list[dict[str, Any]] = []
    read = 0
    chunk = min(_CHUNK, budget) if wanted != EventFilter() else min(_CHUNK, limit)
    last = position
    async for last, event in scan(client, position, mentions, chunk):
        read += 1
        if event is not None and wanted.matches(event):
            events.append(event)
        if len(events) >= limit or read >= budget:
            more = bool(await _ids_after(client, last, 1))
            return Page(events, last, more)
    return Page(events, last, False)


async def matching(
    client: redis.asyncio.Redis,
    position: Position,
    wanted: EventFilter,
    mentions: int,
    limit: int | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Every matching event after `position` (at most `limit`), for the streamed exports."""
    sent = 0
    async for _, event in scan(client, position, mentions):
        if event is None or not wanted.matches(event):
            continue
        yield event
        sent += 1
        if limit is not None and sent >= limit:
            return


_NUMBER_LUA = lua.source("services.api", "number_events.lua")


async def number_old_events(client: redis.asyncio.Redis, slice_size: int = 500) -> int:
    """Number the events stored before creation numbers existed, a slice per script call, so that
    `GET /v1/events` lists them too; a no-op (one ZCARD each) once every event has a number."""
    if await client.zcard(keys.EVENTS_BY_SEQUENCE) >= await client.zcard(keys.EVENTS_INDEX):
        return 0
    script = client.register_script(_NUMBER_LUA)
    offset = 0
    while True:
        held = int(await script(args=[offset, slice_size]))
        offset += held
        if held < slice_size:
            return offset


async def number_old_events_in_background(client: redis.asyncio.Redis) -> None:
    """`number_old_events` at API start; a Redis error only delays it to the next start (or the next merge)."""
    try:
        numbered = await number_old_events(client)
    except redis.RedisError as error:
        log.warning("could not number the events stored before creation numbers: %s", error)
        return
    if numbered:
        log.info("numbered the events stored before creation numbers (%d looked at)", numbered)
