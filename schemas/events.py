"""The event schema: what the extractor yields, what workers store, what the notifier reads.

One model serves `sitrep extract`, the workers and the API, so an event looks the same wherever
a user meets it. Field names follow the scorer in shared/eval (place, actor, previous_actor,
category, count.min/max, to) so offline output can be scored as it is.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.provenance import Provenance


class EventKind(StrEnum):
    """What happened. `control_state` is a holding learnt without a change ("IS-held Raqqa"); `control_denial` is a
    report that denies a change ("officials denied that Palmyra had fallen"): it disputes, it changes nothing."""

    control_change = "control_change"
    control_state = "control_state"
    control_denial = "control_denial"
    civilian_count = "civilian_count"
    surrender = "surrender"
    attack = "attack"
    air_strike = "air_strike"
    shelling = "shelling"
    negotiation = "negotiation"
    evacuation_deal = "evacuation_deal"
    release = "release"


class CivilianCategory(StrEnum):
    trapped = "trapped"
    besieged = "besieged"
    fled = "fled"
    displaced = "displaced"
    evacuated = "evacuated"
    released = "released"
    killed = "killed"
    wounded = "wounded"
    other = "other"


#: Stocks are states that hold until a new estimate replaces them; flows add up over time.
STOCK_CATEGORIES = frozenset({CivilianCategory.trapped, CivilianCategory.besieged, CivilianCategory.displaced})

Stance = Literal["asserted", "claimed", "denied", "hedged"]
Extent = Literal["whole", "partial"]
TimePrecision = Literal["day", "week", "month", "year"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Actor(_Model):
    """An armed actor normalised to a stable id; `mention` is the text that named it."""

    id: str = Field(description="Stable id, e.g. 'islamic-state', 'sdf'.")
    name: str = Field(description="Canonical display name, e.g. 'Islamic State'.")
    mention: str | None = Field(default=None, description="The words in the report that named it.")


class Place(_Model):
    """A place with its parent; coordinates only where a gazetteer knows it."""

    # frozen: the extractor gives every event about one gazetteer place the same object
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Normalised key, parent first: 'raqqa/al-nahda'.")
    name: str
    parent: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    resolved: bool = Field(default=False, description="True when a gazetteer knows the place.")


class Quantity(_Model):
    """A number as a range with its hedge: 'at least 21' is 21..21, exact=False; 'more than 200' is 201..None."""

    min: int | None = None
    max: int | None = None
    exact: bool = True
    hedge: str | None = Field(default=None, description="'at least', 'an estimated', 'hundreds', ...")
    text: str | None = Field(default=None, description="The number as written.")


class EventTime(_Model):
    """When it happened, resolved against the report's publication date."""

    date: dt.date | None = None
    precision: TimePrecision = "day"
    text: str | None = Field(default=None, description="The words that gave the time, if any.")


class Evidence(_Model):
    """Character offsets into the report text, and the sentence they sit in."""

    start: int
    end: int
    text: str
    sentence: str


class Attribution(_Model):
    """Who says so: 'said Mustafa Bali, SDF spokesman' gives speaker and role."""

    speaker: str | None = None
    role: str | None = None
    organisation: str | None = None


class Event(_Model):
    """One extracted event from one report.

    Unknown fields are ignored, not refused, so a consumer that reads `Event` also reads a
    `CanonicalEvent` (an Event plus its mentions and sources) as the Event it extends.
    """

    model_config = ConfigDict(extra="ignore", frozen=False)

    id: str = Field(description="Deterministic: the same report text gives the same ids.")
    kind: EventKind
    acled_sub_event_type: str | None = None
    report_id: str | None = None
    place: Place | None = None
    actor: Actor | None = Field(default=None, description="The new controller, the attacker, who surrendered.")
    previous_actor: Actor | None = None
    to: Actor | None = Field(default=None, description="Surrenders: to whom.")
    category: CivilianCategory | None = None
    count: Quantity | None = None
    time: EventTime = Field(default_factory=EventTime)
    historical: bool = False
    extent: Extent = Field(
        default="whole", description="Control changes: 'partial' when the report says part of the place ('most of X')."
    )
    stance: Stance = "asserted"
    attribution: Attribution | None = None
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0, default=0.5)


ChangeKind = Literal["created", "corroborated", "mention"]


class Span(_Model):
    """Where in a report's text a mention is: character offsets and the words (the sentence is in the report)."""

    start: int
    end: int
    text: str


class Mention(_Model):
    """One report's account of a canonical event: who said it, where in the text, how sure, when."""

    report_id: str
    event_id: str = Field(description="The id of the event as extracted from this report.")
    source: str
    published_at: dt.datetime
    stance: Stance = "asserted"
    historical: bool = False
    time: EventTime = Field(default_factory=EventTime)
    evidence: Span
    count: Quantity | None = None
    attribution: Attribution | None = None
    provenance: Provenance | None = Field(default=None, description="Where the report came from, as it said.")


class ObservedValue(_Model):
    """One figure reported for a day, with every outlet that gave it."""

    min: int | None = None
    max: int | None = None
    sources: list[str]


class Observation(_Model):
    """What was reported for one day: one value, or conflicting values kept side by side as a range."""

    date: dt.date
    min: int | None = Field(default=None, description="Smallest figure given for the day.")
    max: int | None = Field(default=None, description="Largest figure given for the day; null when open-ended.")
    values: list[ObservedValue]


class CanonicalEvent(Event):
    """One real-world happening, merged from every report that mentions it (docs/dedup.md).

    The Event fields come from the strongest mention (asserted, precise, earliest); `time` is the
    earliest precise time, or for a quantity the latest observation, and `count` that observation's
    range. Every field is computed from the full set of mentions, so the order reports arrive in
    does not change it.
    """

    model_config = ConfigDict(extra="forbid", frozen=False)

    mentions: list[Mention] = Field(description="The earliest mentions (up to a configured number).")
    mention_count: int = Field(description="All mentions, however many are listed.")
    sources: list[str] = Field(description="Distinct outlets, sorted.")
    independent_sources: int = Field(description="Outlets counted once per story: syndicated copies count once.")
    observations: list[Observation] = Field(
        default_factory=list, description="Quantities: one entry per day, the latest 31 days."
    )


class Contribution(_Model):
    """What one report did to one canonical event."""

    event_id: str = Field(description="The canonical event.")
    mention_id: str = Field(description="The event as extracted from the report.")
    change: ChangeKind | Literal["none"] = Field(description="'none': the mention was already there.")


class ExtractionResult(_Model):
    """One line of `sitrep extract` output."""

    id: str
    events: list[Event]
