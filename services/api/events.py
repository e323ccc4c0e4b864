"""Canonical events: GET /v1/events and /v1/events/{id}, rendered in Redis from their merge state."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, status

from core import keys
from core.event_reader import read_events_async
from services.api.deps import RedisDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["read"])

Limit = Annotated[int, Query(ge=1, le=1000)]
_RENDER_PAGE = 200


def _loads_all(raw: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(item) for item in raw if item is not None]


@router.get("/events")
async def list_events(
    redis: RedisDep,
    settings: SettingsDep,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    place: Annotated[str | None, Query(max_length=300, description="Place id, e.g. raqqa or raqqa/al-nahda")] = None,
    since: Annotated[datetime | None, Query(description="Only events stored at or after this time")] = None,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    """Newest first. `place` includes events about places inside it."""
    index = keys.EVENTS_INDEX
    if place:
        index = keys.events_by_place(place.lower())
    elif kind:
        index = keys.events_by_kind(kind)
    low = math.floor(since.timestamp()) if since else "-inf"  # index scores are whole seconds
    # With both filters, read a bounded window of the place index and filter by kind here.
    window = limit * 10 if (place and kind) else limit
    ids: Any = await redis.zrevrangebyscore(index, "+inf", low, start=0, num=window)
    events: list[dict[str, Any]] = []
    # Rendered a page at a time: one script call runs alone in Redis, so a 10,000-id window in one
    # call would hold up the workers' merges for that long.
    for start in range(0, len(ids), _RENDER_PAGE):
        page = [i.decode() for i in ids[start : start + _RENDER_PAGE]]
        rendered = _loads_all(await read_events_async(redis, page, settings.event_max_mentions_shown))
        events += [event for event in rendered if not (place and kind) or event.get("kind") == kind]
        if len(events) >= limit:
            break
    return events[:limit]


@router.get("/events/{event_id}")
async def get_event(
    event_id: str,
    redis: RedisDep,
    mentions: Annotated[
        int, Query(ge=0, le=100_000, description="List up to this many mentions, earliest first")
    ] = 1000,
) -> dict[str, Any]:
    """A canonical event with its mentions, earliest first."""
    (raw,) = await read_events_async(redis, [event_id], mentions)
    if raw is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id!r}")
    event: dict[str, Any] = orjson.loads(raw)
    return event
