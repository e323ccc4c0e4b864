"""What a client POSTs, and what the API answers about a report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.provenance import Provenance

REPORT_MAX_TEXT_CHARS = 1_000_000
"""A report text longer than this is refused with 422."""

PUBLISHED_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""A report published before this is refused with 422 (a year-1 date would fail later, in the worker)."""

PUBLISHED_MAX_AHEAD = timedelta(hours=1)
"""How far `published_at` may lie past the API's clock (clock skew); further is refused with 422, since a
report from the future would outrank every real one about its place."""

ReportStatus = Literal["queued", "processing", "done", "duplicate", "failed"]


class ReportIn(BaseModel):
    """A report as a client sends it. `published_at` anchors relative dates in the text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="Client-chosen id for idempotency; a resend with the same id is not processed again.",
    )
    source: str = Field(min_length=1, max_length=200, description="Outlet or monitor, e.g. 'AP', 'SOHR'.")
    text: str = Field(min_length=1, max_length=REPORT_MAX_TEXT_CHARS)
    published_at: datetime = Field(
        description="Publication time; naive times are read as UTC. From 1900 to at most an hour ahead of the API's clock."
    )
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    language: str | None = Field(default=None, max_length=20)
    provenance: Provenance | None = Field(default=None, description="Where the report came from (feed, archive).")
    quiet_delivery: bool | None = Field(
        default=None,
        description="True: alerts this report causes are recorded but no webhook or notification is sent for them"
        " (an archive replayed with `sitrep import --quiet-delivery`).",
    )

    @field_validator("published_at")
    @classmethod
    def _utc_if_naive_and_plausible(cls, value: datetime) -> datetime:
        value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if value < PUBLISHED_EARLIEST:
            raise ValueError(f"must be in {PUBLISHED_EARLIEST.year} or later")
        if value > datetime.now(UTC) + PUBLISHED_MAX_AHEAD:
            raise ValueError("must not be more than an hour in the future (check the time zone)")
        return value


class ReportAck(BaseModel):
    """The 202 answer for one report."""

    id: str
    status: ReportStatus
    status_url: str
    duplicate_of: str | None = Field(
        default=None,
        description="The first report with this id or text; null for an `ingest` key without `read` when that"
        " report is another key name's (its id would reveal who sent it).",
    )


class BatchAck(BaseModel):
    """The 202 answer for a batch, in the order sent."""

    accepted: int = Field(description="Reports that are new and will be processed.")
    duplicates: int
    reports: list[ReportAck]


class ReportView(BaseModel):
    """GET /v1/reports/{id}."""

    id: str
    status: ReportStatus
    source: str | None = None
    published_at: datetime | None = None
    title: str | None = None
    received_at: datetime | None = None
    duplicate_of: str | None = Field(
        default=None,
        description="The first report with this id or text; null for an `ingest` key without `read` when that"
        " report is another key name's (its id would reveal who sent it).",
    )
    error: str | None = None
    provenance: Provenance | None = None
    quiet_delivery: bool = False
    events: list[dict[str, object]] = Field(default_factory=list)
