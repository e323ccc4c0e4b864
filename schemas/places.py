"""What the situation board reads: the places the situation knows, with a point to draw each, and one place's
history of control and counts with the words and reports behind each step."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from schemas.events import EventKind, Stance, TimePrecision


class PlaceCount(BaseModel):
    """A civilian count of a place, in short: the latest range of a stock, the totals of a flow."""

    category: str
    kind: Literal["stock", "flow"]
    min: int | None = None
    max: int | None = None
    as_of: dt.datetime | None = None
    totals: dict[str, int] = Field(default_factory=dict, description="Flows: sums over 24h, 7d and all time.")


class PlaceSummary(BaseModel):
    """One row of the board's table and one point of its map."""

    place_id: str
    name: str
    parent: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    located: Literal["place", "parent"] | None = Field(
        default=None, description="Where `lat`/`lon` come from: the place's own point, or its parent's (a quarter)."
    )
    controller: str | None = Field(default=None, description="Actor id of the current holder.")
    controller_name: str | None = None
    since: dt.datetime | None = None
    contested: bool = False
    counts: list[PlaceCount] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Outlets behind the control and the counts.")
    kinds: list[EventKind] = Field(default_factory=list, description="Kinds of event known for the place.")
    report_time: dt.datetime | None = Field(default=None, description="Publication time of the latest report.")


class HistoryReport(BaseModel):
    """A report behind a step: its outlet and where to read it."""

    report_id: str
    source: str
    published_at: dt.datetime
    status_url: str = Field(description="The report in this API: GET /v1/reports/{id}.")
    url: str | None = Field(default=None, description="The report's own link, when it gave one.")
    title: str | None = None


class HistoryEntry(BaseModel):
    """One canonical event of the place: a change or holding of control, a dissent, or a count."""

    event_id: str
    kind: EventKind
    role: Literal["control", "earlier_control", "dissent", "count"]
    date: dt.date | None = None
    precision: TimePrecision = "day"
    controller: str | None = None
    controller_name: str | None = None
    previous: str | None = None
    previous_name: str | None = None
    category: str | None = None
    count_min: int | None = None
    count_max: int | None = None
    stance: Stance = "asserted"
    sentence: str = Field(description="The evidence sentence of the strongest mention: report text, shown as text.")
    sources: list[str] = Field(default_factory=list)
    mention_count: int = 0
    reports: list[HistoryReport] = Field(default_factory=list, description="The earliest mentions' reports.")


class PlaceHistory(BaseModel):
    """GET /v1/places/{place}: the place's row and every event behind its control and counts, newest first."""

    place: PlaceSummary
    entries: list[HistoryEntry]
