"""`GET /v1/alerts/stream`: alerts as Server-Sent Events, read from the alert log.

Each event's `id:` is its stream id. A client that reconnects with `Last-Event-ID` (browsers do it
on their own) gets exactly the entries after that id: the log is read from a position, not from
pub/sub, so there is no window in which an alert can slip past, and none comes twice. Live entries
come from the process's one reader of the log (services/api/alert_fanout.py), not one per client.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import orjson
import redis
import redis.asyncio
from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from core import keys
from core.api_keys import ApiKey
from core.delivery.filters import AlertFilter
from core.delivery.stream import parse_id, valid_stream_id
from core.errors import FanoutClosed, ListenerDropped
from services.api.access import Authenticator, api_key_of
from services.api.alert_fanout import AlertFanout, LogEntry, catch_up
from services.api.deps import DeliverySettingsDep, RedisDep

router = APIRouter(prefix="/v1", tags=["alerts"])

RECONNECT_MILLISECONDS = 2000


async def resolve_start(client: redis.asyncio.Redis, since: str | None) -> str:
    """The position to read after: the given id, or the newest entry now (`$` resolved once, so an
    alert added between this call and the first XREAD is still read)."""
    if since not in (None, "$"):
        assert since is not None
        return since
    newest: Any = await client.xrevrange(keys.ALERTS_STREAM, count=1)
    return str(newest[0][0].decode()) if newest else "0-0"


async def trimmed_since(client: redis.asyncio.Redis, start: str) -> dict[str, Any] | None:
    """What a reader resuming after `start` has missed to trimming, if anything. Redis 7 says for
    sure (`max-deleted-entry-id`); on 6.2 a position older than the oldest entry left means entries
    after it may have been trimmed."""
    if parse_id(start) == (0, 0):
        return None
    try:
        info: Any = await client.xinfo_stream(keys.ALERTS_STREAM)
    except redis.ResponseError:  # no log yet
        return None
    first = info.get("first-entry")
    oldest = first[0].decode() if first else None
    deleted = info.get("max-deleted-entry-id")
    if deleted is not None:
        deleted = deleted.decode() if isinstance(deleted, bytes) else str(deleted)
        if parse_id(deleted) > parse_id(start):
            return {"after": start, "trimmed_through": deleted, "oldest": oldest, "certain": True}
        return None
    if oldest is not None and parse_id(oldest) > parse_id(start):
        return {"after": start, "trimmed_through": None, "oldest": oldest, "certain": False}
    return None


def _passes(entry: LogEntry, alert_filter: AlertFilter) -> bool:
    return entry.alert is not None and alert_filter.matches(entry.alert)


async def alert_events(
    client: redis.asyncio.Redis, fanout: AlertFanout, start: str, alert_filter: AlertFilter
) -> AsyncGenerator[ServerSentEvent, None]:
    """Every alert after `start` that passes the filter, for ever. Cancelled when the client goes.

    Subscribed to the process's fan-out first, then the log is read from `start` to its end, then the
    fan-out's entries past the last one read follow (services/api/alert_fanout.py says why nothing is
    lost or repeated). Dropped by the fan-out for being slow, the client catches up again from the log.
    """
    yield ServerSentEvent(retry=RECONNECT_MILLISECONDS, comment=f"alerts after {start}")
    gap = await trimmed_since(client, start)
    if gap is not None:
        # A named event: `onmessage` handlers never see it; `addEventListener("gap", ...)` does.
        yield ServerSentEvent(event="gap", data=orjson.dumps(gap).decode())
    last, position = start, parse_id(start)
    try:
        listener = await fanout.subscribe()
    except FanoutClosed:
        return
    try:
        while True:
            async for entry in catch_up(client, last):
                last, position = entry.id, parse_id(entry.id)
                if _passes(entry, alert_filter):
                    yield ServerSentEvent(data=entry.raw.decode(), id=entry.id)
            try:
                while True:
                    entry = await listener.next()
                    entry_position = parse_id(entry.id)
                    if entry_position <= position:
                        continue  # read from the log already
                    last, position = entry.id, entry_position
                    if _passes(entry, alert_filter):
                        yield ServerSentEvent(data=entry.raw.decode(), id=entry.id)
            except ListenerDropped:
                fanout.unsubscribe(listener)
                listener = await fanout.subscribe()
                gap = await trimmed_since(client, last)  # the log may have been trimmed past this client
                if gap is not None:
                    yield ServerSentEvent(event="gap", data=orjson.dumps(gap).decode())
    except FanoutClosed:
        return
    finally:
        fanout.unsubscribe(listener)


async def _while_admitted(
    events: AsyncGenerator[ServerSentEvent, None], auth: Authenticator, client: redis.asyncio.Redis, key: ApiKey | None
) -> AsyncIterator[ServerSentEvent]:
    """The stream, ended before the first alert its client is no longer let in for (a revoked key; an
    API let in open that now has keys): the client's reconnect then meets the guard."""
    async with contextlib.aclosing(events):  # its `finally` frees the fan-out listener now, not at GC
        async for event in events:
            if event.data is not None and not await auth.still_admitted(client, key):
                return
            yield event


@router.get(
    "/alerts/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "One event per alert; id = stream id."}},
)
async def stream_alerts(
    request: Request,
    redis_client: RedisDep,
    settings: DeliverySettingsDep,
    place: Annotated[list[str] | None, Query(description="Place id; includes places inside it. Repeatable.")] = None,
    kind: Annotated[list[str] | None, Query(description="Alert kind, e.g. control_changed. Repeatable.")] = None,
    type: Annotated[list[str] | None, Query(description="Alias of kind: the full CloudEvents type.")] = None,
    category: Annotated[list[str] | None, Query(description="Civilian category, e.g. trapped. Repeatable.")] = None,
    since: Annotated[str | None, Query(description="Stream id to start after; 0 for all history.")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """Live alerts as SSE. `Last-Event-ID` (or `since`) resumes after that id; without either the
    stream starts at the newest alert. Comment lines keep an idle stream open."""
    try:
        alert_filter = AlertFilter(place=place or [], kind=[*(kind or []), *(type or [])], category=category or [])
    except ValidationError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(str(e["msg"]) for e in error.errors())
        ) from None
    position = last_event_id if last_event_id not in (None, "") else since
    if position not in (None, "$") and not valid_stream_id(str(position)):
        source = "Last-Event-ID" if last_event_id else "since"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{source}: not a stream id: {position!r}")
    start = await resolve_start(redis_client, position)
    events = alert_events(redis_client, request.app.state.alert_fanout, start, alert_filter)
    return EventSourceResponse(
        _while_admitted(events, request.app.state.auth, redis_client, api_key_of(request.state)),
        ping=settings.sse_heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
