"""The situation of one place: who controls it, and the civilian counts known for it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ControlBasis = Literal["change", "state", "historical"]


class Dissent(BaseModel):
    """A credible recent report that disagrees with the current holder."""

    event: str
    source: str
    controller: str | None = Field(default=None, description="Who the dissenting report says holds the place.")
    stance: str
    time: datetime


class ControlState(BaseModel):
    """Who holds a place, since when, and on what evidence."""

    controller: str = Field(description="Actor id.")
    controller_name: str
    since: datetime | None = None
    previous: str | None = None
    previous_name: str | None = None
    basis: ControlBasis = Field(
        default="change",
        description="change: an explicit capture; state: a holding learnt without a change; historical: past news.",
    )
    claimed_by: str | None = Field(default=None, description="Who says so, in words: 'claimed by the SDF'.")
    confidence: float = 0.0
    independent_sources: int = Field(default=0, description="Independent sources behind this state.")
    evidence: dict[str, int] = Field(
        default_factory=dict, description="Canonical event or source → independent sources it stands for."
    )
    events: list[str] = Field(default_factory=list)
    reports: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    contested: bool = False
    dissent: list[Dissent] = Field(default_factory=list)


class CountContribution(BaseModel):
    """One distinct (canonical) event adding to a flow."""

    event: str
    min: int
    max: int | None = None
    time: datetime
    source: str


class CountState(BaseModel):
    """A civilian count. Stocks hold the latest estimate as a range; flows add up distinct events."""

    category: str
    kind: Literal["stock", "flow"] = "stock"
    min: int | None
    max: int | None
    as_of: datetime | None = None
    totals: dict[str, int] = Field(
        default_factory=dict, description="Flows only: sum of distinct events over 24h, 7d and all time."
    )
    contributions: list[CountContribution] = Field(
        default_factory=list, description="Flows only: the events of the last 7 days (report time), summed."
    )
    folded: int = Field(default=0, description="Flows only: sum of older events, part of the all-time total.")
    events: list[str] = Field(default_factory=list)
    reports: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class ChildControl(BaseModel):
    """A place inside this one and who holds it (filled in by the API from the child's own situation)."""

    place_id: str
    name: str
    controller: str | None = None
    controller_name: str | None = None
    since: datetime | None = None
    contested: bool = False


class Situation(BaseModel):
    """GET /v1/situation/{place}."""

    place_id: str
    name: str
    parent: str | None = None
    country: str | None = None
    control: ControlState | None = None
    counts: dict[str, CountState] = Field(default_factory=dict)
    history: list[ControlState] = Field(default_factory=list, description="Earlier holders, oldest first.")
    children: list[ChildControl] = Field(default_factory=list, description="Places inside this one (API only).")
    report_time: datetime | None = Field(default=None, description="Publication time of the latest report: 'now'.")
    updated_at: datetime | None = None
