"""Alerts: CloudEvents 1.0 JSON envelopes whose `data` says what changed, why, and on whose word."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AlertType = Literal[
    "sitrep.alert.control_changed",
    "sitrep.alert.control_baseline",
    "sitrep.alert.civilian_threshold",
    "sitrep.alert.civilian_change",
    "sitrep.alert.superseded",
    "sitrep.alert.resolved",
]


class AlertData(BaseModel):
    """What the alert is about."""

    model_config = ConfigDict(extra="allow")

    place: dict[str, Any]
    before: dict[str, Any] | None = None
    after: dict[str, Any]
    events: list[str] = Field(description="Ids of the events behind the alert.")
    reports: list[str] = Field(description="Ids of the reports behind the alert.")
    sources: list[str] = Field(default_factory=list, description="Distinct outlets behind it.")
    summary: str = Field(description="One line for a human.")
    fingerprint: str = Field(description="Stable: the same state gives the same fingerprint.")
    rule: str | None = Field(default=None, description="Name of the rule that fired.")
    category: str | None = Field(default=None, description="Civilian alerts: the category (trapped, killed, ...).")
    level: int | None = Field(default=None, description="Threshold alerts: the level crossed.")
    direction: Literal["up", "down"] | None = Field(default=None, description="Threshold alerts: which way.")
    repeat: int | None = Field(default=None, description="Set on a repeat: how many times re-sent.")
    repeat_of: str | None = Field(
        default=None, description="Set on a repeat: the fingerprint of the state it repeats (what notices name)."
    )
    supersedes: str | None = Field(default=None, description="Superseded notices: the fingerprint superseded.")
    resolves: str | None = Field(default=None, description="Resolved notices: the fingerprint resolved.")


class Alert(BaseModel):
    """A CloudEvents 1.0 structured-mode event."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: AlertType
    subject: str = Field(description="The place id.")
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: AlertData
