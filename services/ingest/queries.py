"""Read side of the API: events, situation and alerts, straight from the keys the pipeline writes."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, status

from core import keys
from core.event_reader import read_events_async
from services.ingest.deps import RedisDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["read"])

Limit = Annotated[int, Query(ge=1, le=1000)]
_RENDER_PAGE = 200


def _loads_all(raw: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(item) for item in raw if item is not None]


@router.get("/events")
async def list_events(
    redis: RedisDep,
    settings: SettingsDep,
    kind: str | None = None,
    place: Annotated[str | None, Query(description="Place id, e.g. raqqa or raqqa/al-nahda")] = None,
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


@router.get("/situation")
async def list_situation(redis: RedisDep) -> list[dict[str, Any]]:
    """Every place the notifier holds a situation for."""
    members: Any = await redis.smembers(keys.SITUATION_INDEX)
    places = sorted(member.decode() for member in members)
    if not places:
        return []
    return _loads_all(await redis.mget([keys.situation(place) for place in places]))


@router.get("/situation/{place_id:path}")
async def get_situation(place_id: str, redis: RedisDep) -> dict[str, Any]:
    """One place, with `children`: who holds each place inside it (Raqqa shows al-Nahda)."""
    place_id = place_id.lower()
    members: Any = await redis.smembers(keys.SITUATION_INDEX)
    inside = sorted(m.decode() for m in members if m.decode().startswith(place_id + "/"))
    raw_all = await redis.mget([keys.situation(place_id), *(keys.situation(child) for child in inside)])
    if raw_all[0] is None and not inside:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no situation for {place_id!r}")
    situation: dict[str, Any] = (
        orjson.loads(raw_all[0]) if raw_all[0] is not None else {"place_id": place_id, "name": place_id, "counts": {}}
    )
    situation["children"] = [_child(orjson.loads(raw)) for raw in raw_all[1:] if raw is not None]
    return situation


def _child(situation: dict[str, Any]) -> dict[str, Any]:
    control = situation.get("control") or {}
    return {
        "place_id": situation["place_id"],
        "name": situation.get("name"),
        "controller": control.get("controller"),
        "controller_name": control.get("controller_name"),
        "since": control.get("since"),
        "contested": control.get("contested", False),
    }


@router.get("/alerts")
async def list_alerts(
    redis: RedisDep,
    since: Annotated[str | None, Query(description="Stream id: only alerts after it; 0 for all")] = None,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    """Alerts in the order emitted; each carries its stream id as `stream_id`."""
    entries: Any
    try:
        if since is not None:
            entries = await redis.xrange(keys.ALERTS_STREAM, min=f"({since}" if since != "0" else "-", count=limit)
        else:
            newest_first: Any = await redis.xrevrange(keys.ALERTS_STREAM, count=limit)
            entries = list(reversed(newest_first))
    except Exception as error:  # a malformed stream id is the caller's mistake
        if "Invalid stream ID" in str(error):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"since: not a stream id: {since!r}") from None
        raise
    alerts = []
    for stream_id, fields in entries:
        alert = orjson.loads(fields[b"alert"])
        alert["stream_id"] = stream_id.decode()
        alerts.append(alert)
    return alerts
