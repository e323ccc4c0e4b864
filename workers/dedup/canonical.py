"""Which canonical event an extracted event belongs to, and what the merge script needs to know about it.

The canonical id is a pure function of the extracted event (its blocking key), never the result
of a search among stored events: two workers that see the same happening in different orders
compute the same id, and the merge script only adds to sets and keeps minima, so the result does
not depend on order. The blocking keys (docs/dedup.md):

- control change / state: kind, place, new controller, year;
- civilian count of a stock (trapped, besieged, displaced): kind, place, category, no time: one
  quantity whose figures over time are its observations;
- civilian count of a flow (killed, fled, ...): kind, place, category, time bucket;
- anything else (attacks, strikes, surrenders, talks, deals): kind, top-level place (a district
  strike and a city strike that day are one happening), actor, time bucket.

A time bucket is the calendar unit of the time's precision: the day, ISO week, month or year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

import orjson

from core import keys
from schemas.events import STOCK_CATEGORIES, CivilianCategory, Event, EventKind
from schemas.reports import ReportIn

_CONTROL = frozenset({EventKind.control_change, EventKind.control_state, EventKind.control_denial})
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_STANCE_RANK = {"asserted": 0, "claimed": 1, "hedged": 2, "denied": 3}
_BASE_EXCLUDE = ("id", "time", "count", "confidence", "historical")
_SEP = "\x1f"


def event_day(event: Event, published_at: datetime) -> date:
    """The event's date, or the report's publication day when the text gave none."""
    return event.time.date or published_at.astimezone(UTC).date()


def time_bucket(day: date, precision: str) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if precision == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()


def blocking_key(event: Event, published_at: datetime) -> tuple[str, ...]:
    """The facts two mentions of one happening share (see the module docstring)."""
    return _key(event, event_day(event, published_at))


def _key(event: Event, day: date) -> tuple[str, ...]:
    """`blocking_key` with the event's day already known (merge_item has it)."""
    kind = event.kind
    place = event.place.id if event.place else "-"
    actor = event.actor.id if event.actor else "-"
    value = kind._value_  # the enum's `value` property costs a descriptor call; its `_value_` is the same string
    if kind is EventKind.civilian_count:
        category = event.category or CivilianCategory.other
        if category in STOCK_CATEGORIES:
            return (value, place, category._value_)
        return (value, place, category._value_, time_bucket(day, event.time.precision))
    if kind in _CONTROL:
        return (value, place, actor, f"{day.year:04d}")
    root = place.split("/")[0]
    return (value, root, actor, time_bucket(day, event.time.precision))


def canonical_id(key: tuple[str, ...]) -> str:
    """A stable id for a blocking key (sha256: the same in every process)."""
    return "ev-" + hashlib.sha256(_SEP.join(key).encode()).hexdigest()[:24]


def _stamp(moment: datetime) -> str:
    """Fixed-width UTC time: sorts as text in time order (the merge script compares ranks as strings)."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def clean_source(source: str) -> str:
    """The outlet as the merge script stores it: it splits its fields on \\x1f and \\x1e."""
    return source.replace(_SEP, " ").replace("\x1e", " ")


class MergeItem(NamedTuple):
    """One extracted event, ready for the merge script: every string it compares or stores.

    A NamedTuple: made for every event, where a frozen dataclass's __init__ cost a tenth of `merge_item`."""

    canonical_id: str
    mention_id: str
    mention_json: bytes
    score: float
    rank: str
    base_json: bytes
    time_rank: str
    time_json: bytes
    confidence: str
    historical: bool
    observation: str
    index_keys: tuple[str, ...]
    kind: str = ""

    def args(self) -> list[str | bytes | float | int]:
        """The item's part of the script's ARGV (layout in merge.lua)."""
        return [
            self.canonical_id,
            self.mention_id,
            self.mention_json,
            self.score,
            self.rank,
            self.base_json,
            self.time_rank,
            self.time_json,
            self.confidence,
            "1" if self.historical else "0",
            self.observation,
            self.kind,
            len(self.index_keys),
            *self.index_keys,
        ]


_INDEX_KEYS = (keys.EVENTS_INDEX,)
"""The sorted sets a merge refreshes an event in: the global one, by last change (expiry trims it). Readers
page the creation order (`sitrep:events:sequence`) and filter there, so per-kind and per-place sets,
which cost the merge script about 8 % of its instructions, are no longer written."""


@dataclass(frozen=True)
class ReportFacts:
    """What every event of one report shares, computed once per report."""

    report_id: str
    source: str
    published_at: datetime
    published_iso: str
    stamp: str
    score: float
    provenance: dict[str, object] | None = None
    """The report's provenance as JSON, copied into each of its mentions."""

    @classmethod
    def of(cls, report_id: str, report: ReportIn) -> ReportFacts:
        published = report.published_at
        source = clean_source(report.source)
        provenance = report.provenance.model_dump(mode="json", exclude_none=True) if report.provenance else None
        return cls(
            report_id, source, published, published.isoformat(), _stamp(published), published.timestamp(), provenance
        )


def _compact(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


_STANCE_DIGIT = {stance: str(rank) for stance, rank in _STANCE_RANK.items()}
_PRECISION_DIGIT = {precision: str(rank) for precision, rank in _PRECISION_RANK.items()}
_DEPTH_DIGIT = "9876543210"
"""The rank's place digit: 9 - min(depth, 9), by depth."""


def merge_item(report_id: str, report: ReportIn | ReportFacts, event: Event) -> MergeItem:
    """Everything the merge script needs about one extracted event of one report.

    Built from one `model_dump` of the event: this runs for every event, beside the extractor.
    """
    facts = report if isinstance(report, ReportFacts) else ReportFacts.of(report_id, report)
    when = event.time
    day = when.date or facts.published_at.astimezone(UTC).date()
    iso_day = day.isoformat()
    precision = _PRECISION_DIGIT[when.precision]
    tie = f"{facts.stamp}{report_id}{_SEP}{event.id}"
    # The base is the dump less _BASE_EXCLUDE, in the dump's order; `count` also goes to the mention.
    base = event.model_dump(mode="json", exclude_none=True)
    count_json = base.get("count")
    for excluded in _BASE_EXCLUDE:
        base.pop(excluded, None)
    time: dict[str, object] = {"date": iso_day, "precision": when.precision}
    if when.text is not None:
        time["text"] = when.text
    evidence = event.evidence
    historical = event.historical
    mention: dict[str, object] = {
        "report_id": report_id,
        "event_id": event.id,
        "source": facts.source,
        "published_at": facts.published_iso,
        "stance": event.stance,
        "historical": historical,
        "time": time,
        "evidence": {"start": evidence.start, "end": evidence.end, "text": evidence.text},
    }
    if count_json is not None:
        mention["count"] = count_json
    if "attribution" in base:
        mention["attribution"] = base["attribution"]
    if facts.provenance is not None:
        mention["provenance"] = facts.provenance
    place = event.place
    depth = place.id.count("/") + 1 if place else 0
    rank = f"{'1' if historical else '0'}{_STANCE_DIGIT[event.stance]}{precision}{_DEPTH_DIGIT[min(depth, 9)]}{tie}"
    kind = event.kind
    if kind is EventKind.civilian_count:
        # A quantity shows its latest observation: invert the date so the smallest rank is the newest.
        time_rank = f"{99991231 - _compact(day):08d}{precision}{tie}"
    else:
        time_rank = f"{precision}{iso_day}{tie}"
    observation = ""
    count = event.count
    if count is not None and (count.min is not None or count.max is not None):
        low = "" if count.min is None else str(count.min)
        high = "" if count.max is None else str(count.max)
        observation = f"{iso_day}{_SEP}{low}{_SEP}{high}"
    return MergeItem(
        canonical_id(_key(event, day)),
        event.id,
        orjson.dumps(mention),
        facts.score,
        rank,
        orjson.dumps(base),
        time_rank,
        orjson.dumps(time),
        f"{event.confidence:.3f}",
        historical,
        observation,
        _INDEX_KEYS,
        kind._value_,
    )
