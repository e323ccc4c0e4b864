"""Canonical events: GET /v1/events (cursor pages), its streamed exports (.csv, .geojson, .jsonl), and
GET /v1/events/{id}; rendered in Redis from their merge state (core/render.lua)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from core.event_reader import read_events_async
from schemas.events import CanonicalEvent
from services.api import event_export
from services.api.deps import RedisDep, SettingsDep
from services.api.event_query import EventFilter, Order, event_filter, matching, read_page, start_position

router = APIRouter(prefix="/v1", tags=["events"])

PAGE_BUDGET = 2000
"""Events a page may read from the index while looking for matches: a selective filter gives a short
(even empty) page with `has_more`, instead of a request that reads the whole store."""

Filters = Annotated[EventFilter, Depends(event_filter)]
Cursor = Annotated[
    str | None, Query(description="`next_cursor` of the previous page: continue after it (its order wins)")
]
OrderParam = Annotated[
    Order | None, Query(description="desc (default): newest stored first; asc: oldest first, then new ones")
]


class EventPage(BaseModel):
    """One page of `GET /v1/events`."""

    events: list[CanonicalEvent]
    next_cursor: str = Field(description="Pass as `cursor` to continue after this page (also to poll for new events).")
    has_more: bool = Field(description="Whether events beyond this page existed when it was read.")


@router.get("/events", response_model=EventPage, operation_id="list_events")
async def list_events(
    redis: RedisDep,
    settings: SettingsDep,
    wanted: Filters,
    cursor: Cursor = None,
    order: OrderParam = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most events in the page")] = 100,
) -> Response:
    """Every stored event, a page at a time, in the order they were first stored. A cursor visits each
    event once, however many arrive meanwhile; a filtered page may hold fewer than `limit` events
    (it reads at most 2,000), so go on while `has_more`."""
    position = start_position(cursor, order)
    page = await read_page(redis, position, wanted, limit, settings.event_max_mentions_shown, PAGE_BUDGET)
    body = {"events": page.events, "next_cursor": page.position.encode(), "has_more": page.has_more}
    return Response(orjson.dumps(body), media_type="application/json")


async def _then(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


def _export(
    chunks: Callable[[AsyncIterator[dict[str, Any]]], AsyncIterator[bytes]], media_type: str, suffix: str
) -> Any:
    async def export(
        redis: RedisDep,
        settings: SettingsDep,
        wanted: Filters,
        cursor: Cursor = None,
        order: OrderParam = None,
        limit: Annotated[int | None, Query(ge=1, description="Most events to write (default: all)")] = None,
    ) -> StreamingResponse:
        position = start_position(cursor, order)
        mentions = settings.event_max_mentions_shown if suffix == "jsonl" else 0
        body = chunks(matching(redis, position, wanted, mentions, limit))
        # The first chunk is read before the answer starts: Redis being down is then a 503, not a 200
        # with a cut body. Later failures cut the stream, which a client sees as an incomplete read.
        first = await anext(body)
        headers = {"Content-Disposition": f'attachment; filename="sitrep-events.{suffix}"', "Cache-Control": "no-store"}
        return StreamingResponse(_then(first, body), media_type=media_type, headers=headers)

    return export


_STREAMED = (
    "Written as it is read from Redis (constant memory); the same filters, `order` and `cursor` as `GET /v1/events`."
)
router.get(
    "/events.csv",
    operation_id="export_events_csv",
    summary="Events as ACLED-like CSV",
    description="One row per event: ACLED's columns, then sitrep's (docs/api.md, Exports). " + _STREAMED,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV with a header row"}},
)(_export(event_export.csv_chunks, "text/csv; charset=utf-8", "csv"))
router.get(
    "/events.geojson",
    operation_id="export_events_geojson",
    summary="Events as a GeoJSON FeatureCollection",
    description="A Point per located event; events without coordinates have `geometry: null` (filter with "
    "`located=true`). " + _STREAMED,
    response_class=StreamingResponse,
    responses={200: {"content": {"application/geo+json": {}}, "description": "RFC 7946 FeatureCollection"}},
)(_export(event_export.geojson_chunks, "application/geo+json", "geojson"))
router.get(
    "/events.jsonl",
    operation_id="export_events_jsonl",
    summary="Events as JSON Lines",
    description="One canonical event per line, as in `GET /v1/events`. " + _STREAMED,
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "One JSON object per line"}},
)(_export(event_export.jsonl_chunks, "application/x-ndjson", "jsonl"))


@router.get("/events/{event_id}", response_model=CanonicalEvent, operation_id="get_event")
async def get_event(
    event_id: str,
    redis: RedisDep,
    mentions: Annotated[
        int, Query(ge=0, le=100_000, description="List up to this many mentions, earliest first")
    ] = 1000,
) -> Response:
    """A canonical event with its mentions, earliest first."""
    (raw,) = await read_events_async(redis, [event_id], mentions)
    if raw is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {event_id!r}")
    return Response(raw, media_type="application/json")
