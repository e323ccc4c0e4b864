"""Alerts already emitted, from the alert log: GET /v1/alerts (the live stream is alert_stream.py)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, status

from core import keys
from services.api.deps import RedisDep

router = APIRouter(prefix="/v1", tags=["read"])

Limit = Annotated[int, Query(ge=1, le=1000)]


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
