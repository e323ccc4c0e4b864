"""Failed reports, visible and recoverable: GET /v1/reports?status=failed pages them, newest first, and
POST /v1/reports/retry gives them to new jobs (as `sitrep reports retry` does)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, Field, model_validator

from core import keys
from services.api.deps import RedisDep
from services.api.report_store import ReportStore

router = APIRouter(prefix="/v1", tags=["reports"])

MAX_RETRY_IDS = 10_000
"""Ids one retry request may name (`all_failed` has no limit: it works a job's worth at a time)."""


class FailedReport(BaseModel):
    id: str
    status: str
    error: str | None = None
    failed_at: str | None = None
    source: str | None = None
    published_at: str | None = None


class FailedReportPage(BaseModel):
    reports: list[FailedReport]
    total: int = Field(description="Reports in the failed index now.")
    next_offset: int | None = Field(description="`offset` of the next page; null on the last one.")


@router.get("/reports", response_model=FailedReportPage)
async def list_reports(
    redis: RedisDep,
    status_filter: Literal["failed"] = Query(alias="status", description="Only `failed` is listed."),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> FailedReportPage:
    """Reports that ended `failed` (an extractor error, the time budget, a job that failed for good), newest first."""
    ids: list[Any] = await redis.zrevrange(keys.FAILED_REPORTS, offset, offset + limit - 1)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(keys.FAILED_REPORTS)
        for rid in ids:
            pipe.hmget(keys.report(rid.decode()), "status", "error", "failed_at", "report")
        total, *rows = await pipe.execute()
    reports = []
    for rid, (state, error, failed_at, payload) in zip(ids, rows, strict=True):
        if state is None:
            continue  # expired with its report TTL; a retry drops it from the index
        report: dict[str, Any] = orjson.loads(payload) if payload else {}
        reports.append(
            FailedReport(
                id=rid.decode(),
                status=state.decode(),
                error=error.decode() if error else None,
                failed_at=failed_at.decode() if failed_at else None,
                source=report.get("source"),
                published_at=report.get("published_at"),
            )
        )
    more = offset + len(ids) < total
    return FailedReportPage(reports=reports, total=total, next_offset=offset + len(ids) if more else None)


class RetryRequest(BaseModel):
    ids: list[str] = Field(default_factory=list, max_length=MAX_RETRY_IDS)
    all_failed: bool = Field(default=False, description="Every report in the failed index when the call begins.")

    @model_validator(mode="after")
    def _one_of(self) -> RetryRequest:
        if bool(self.ids) == self.all_failed:
            raise ValueError("give either `ids` or `all_failed: true`")
        return self


class RetryResult(BaseModel):
    requeued: int
    ids: list[str] = Field(description="The reports queued again (with `all_failed`, at most the first 1000).")
    not_failed: list[str] = Field(default_factory=list, description="Named ids that were not failed: left alone.")


@router.post("/reports/retry", response_model=RetryResult, status_code=status.HTTP_200_OK)
async def retry_reports(body: RetryRequest, request: Request) -> RetryResult:
    """Queue failed reports again (an admin action): each becomes `queued` with its error kept as `last_error`."""
    store: ReportStore = request.app.state.store
    if body.all_failed:
        queued = await asyncio.to_thread(store.requeue_all_failed)
        return RetryResult(requeued=len(queued), ids=queued[:1000])
    if len(set(body.ids)) != len(body.ids):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "an id is named twice")
    queued = await asyncio.to_thread(store.requeue_failed, body.ids)
    done = set(queued)
    return RetryResult(requeued=len(queued), ids=queued, not_failed=[rid for rid in body.ids if rid not in done])
