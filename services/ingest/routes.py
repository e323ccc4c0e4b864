"""GET /v1/reports/{id}: a report's status and the events it yielded (the POSTs are in intake.py)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, status

from schemas.reports import ReportView
from services import keys
from services.ingest.deps import RedisDep

router = APIRouter(prefix="/v1", tags=["reports"])


@router.get("/reports/{report_id}", response_model=ReportView)
async def get_report(report_id: str, redis: RedisDep) -> ReportView:
    """A report's status, and the events it yielded once processed."""
    record: Any = await redis.hgetall(keys.report(report_id))
    if not record:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no report {report_id!r}")
    fields = {key.decode(): value.decode() for key, value in record.items()}
    report = orjson.loads(fields.get("report", "{}"))
    event_ids: list[str] = orjson.loads(fields.get("events", "[]"))
    events: list[dict[str, object]] = []
    if event_ids:
        raw = await redis.mget([keys.event(event_id) for event_id in event_ids])
        events = [orjson.loads(item) for item in raw if item is not None]
    return ReportView(
        id=report_id,
        status=fields.get("status", "queued"),
        source=report.get("source"),
        published_at=report.get("published_at"),
        title=report.get("title"),
        received_at=fields.get("received_at"),
        duplicate_of=fields.get("duplicate_of"),
        error=fields.get("error"),
        events=events,
    )
