"""GET /v1/reports/{id}: a report's status, what it contributed to which events, and whether it was a copy.

The POSTs are in intake.py.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, status
from pydantic import Field

from core import keys
from core.event_reader import read_events_async
from schemas.events import Contribution
from schemas.reports import ReportView
from services.ingest.deps import RedisDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["reports"])


class ReportDetail(ReportView):
    """A report with its deduplication facts: the story it belongs to and its contributions."""

    story: str | None = Field(default=None, description="First report of its near-duplicate group (itself if none).")
    near_duplicate_of: str | None = Field(default=None, description="The earlier report this one is a copy of.")
    contributions: list[Contribution] = Field(default_factory=list)


@router.get("/reports/{report_id}", response_model=ReportDetail)
async def get_report(report_id: str, redis: RedisDep, settings: SettingsDep) -> ReportDetail:
    """A report's status and, once processed, the canonical events it contributed to and how."""
    record: Any = await redis.hgetall(keys.report(report_id))
    if not record:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no report {report_id!r}")
    fields = {key.decode(): value.decode() for key, value in record.items()}
    report = orjson.loads(fields.get("report", "{}"))
    event_ids: list[str] = orjson.loads(fields.get("events", "[]"))
    events: list[dict[str, object]] = []
    if event_ids:
        raw = await read_events_async(redis, event_ids, settings.event_max_mentions_shown)
        events = [orjson.loads(item) for item in raw if item is not None]
    return ReportDetail(
        id=report_id,
        status=fields.get("status", "queued"),
        source=report.get("source"),
        published_at=report.get("published_at"),
        title=report.get("title"),
        received_at=fields.get("received_at"),
        duplicate_of=fields.get("duplicate_of"),
        error=fields.get("error"),
        events=events,
        story=fields.get("story"),
        near_duplicate_of=fields.get("near_duplicate_of"),
        contributions=orjson.loads(fields.get("contributions", "[]")),
    )
