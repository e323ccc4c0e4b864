"""The situation of one place: who controls it, and the civilian counts known for it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ControlState(BaseModel):
    """Who holds a place, since when, and on what evidence."""

    controller: str = Field(description="Actor id.")
    controller_name: str
    since: datetime | None = None
    previous: str | None = None
    previous_name: str | None = None
    events: list[str] = Field(default_factory=list)
    reports: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    contested: bool = False


class CountState(BaseModel):
    """The latest estimate of one civilian category, as a range."""

    category: str
    min: int | None
    max: int | None
    as_of: datetime | None = None
    events: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class Situation(BaseModel):
    """GET /v1/situation/{place}."""

    place_id: str
    name: str
    parent: str | None = None
    control: ControlState | None = None
    counts: dict[str, CountState] = Field(default_factory=dict)
    history: list[ControlState] = Field(default_factory=list, description="Earlier holders, oldest first.")
    updated_at: datetime | None = None
