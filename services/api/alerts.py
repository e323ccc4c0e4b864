"""Alerts already emitted, from the alert log: GET /v1/alerts (the live stream is alert_stream.py).

It takes the SSE stream's filters (place, kind/type, category). A filtered read looks at a bounded
number of log entries; the `Link: rel="next"` header names where to go on, past everything looked
at, matched or not, so a client paging with it never reads an entry twice or misses one.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import ValidationError
from starlette.responses import Response

from core import keys
from core.delivery.filters import AlertFilter
from core.delivery.stream import LAST_STREAM_PART, parse_id, valid_stream_id
from schemas.alerts import Alert
from services.api.deps import RedisDep

router = APIRouter(prefix="/v1", tags=["alerts"])

SCAN_BUDGET = 10_000
"""Log entries one request may look at while filtering."""
_CHUNK = 500


class LoggedAlert(Alert):
    """An alert as the log holds it, with its position there."""

    stream_id: str


def _filter(place: list[str] | None, kind: list[str] | None, category: list[str] | None) -> AlertFilter:
    try:
        return AlertFilter(place=place or [], kind=kind or [], category=category or [])
    except ValidationError as error:
        problems = [
            {
                "loc": ["query", *map(str, e["loc"])],
                "msg": str(e["msg"]).removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in error.errors()
        ]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems) from None


async def _entries(redis: RedisDep, since: str | None, count: int, before: str | None) -> list[Any]:
    """Up to `count` entries after `since` (oldest first), or before `before` going back (newest first)."""
    entries: Any
    if since is not None:
        if parse_id(since) == (LAST_STREAM_PART, LAST_STREAM_PART):
            return []  # nothing can come after the last id, and Redis refuses an interval that starts past it
        low = "-" if since in ("0", "0-0") else f"({since}"
        entries = await redis.xrange(keys.ALERTS_STREAM, min=low, count=count)
    else:
        high = "+" if before is None else f"({before}"
        entries = await redis.xrevrange(keys.ALERTS_STREAM, max=high, count=count)
    return list(entries or [])


@router.get("/alerts", response_model=list[LoggedAlert], operation_id="list_alerts")
async def list_alerts(
    request: Request,
    redis: RedisDep,
    since: Annotated[str | None, Query(description="Stream id: only alerts after it, oldest first; 0 for all")] = None,
    place: Annotated[list[str] | None, Query(description="Place id; includes places inside it. Repeatable.")] = None,
    kind: Annotated[list[str] | None, Query(description="Alert kind, e.g. control_changed. Repeatable.")] = None,
    type: Annotated[list[str] | None, Query(description="Alias of kind: the full CloudEvents type.")] = None,
    category: Annotated[list[str] | None, Query(description="Civilian category, e.g. trapped. Repeatable.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Alerts in the order emitted (with `since`), else the newest `limit` in that order; each carries its
    stream id as `stream_id`. With `since`, while entries are left `Link: rel="next"` continues after the
    last one looked at (a filtered page may be short, even empty)."""
    if since is not None and not valid_stream_id(since):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"since: not a stream id: {since!r}")
    wanted = _filter(place, [*(kind or []), *(type or [])], category)
    found: list[tuple[str, dict[str, Any]]] = []
    looked, position, before, exhausted = 0, since, None, False
    while len(found) < limit and looked < SCAN_BUDGET:
        chunk = limit if wanted.is_empty() else _CHUNK
        entries = await _entries(redis, position, chunk, before)
        consumed = 0
        for entry_id, fields in entries:
            looked += 1
            consumed += 1
            stream_id = entry_id.decode()
            if since is not None:
                position = stream_id
            else:
                before = stream_id
            alert = orjson.loads(fields[keys.ALERTS_STREAM_FIELD.encode()])
            if wanted.matches(alert):
                alert["stream_id"] = stream_id
                found.append((stream_id, alert))
                if len(found) >= limit:
                    break
        # A short read ends the log, unless the page filled up before its last entry.
        if len(entries) < chunk and consumed == len(entries):
            exhausted = True
            break
    if since is None:
        found.reverse()
    headers = {}
    if since is not None and position is not None and not exhausted:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "since"] + [("since", position)]
        headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
    return Response(orjson.dumps([alert for _, alert in found]), media_type="application/json", headers=headers)
