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

import orjson

from schemas.events import STOCK_CATEGORIES, CivilianCategory, Event, EventKind, EventTime, Mention, Span
from schemas.reports import ReportIn
from services import keys

_CONTROL = frozenset({EventKind.control_change, EventKind.control_state})
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_STANCE_RANK = {"asserted": 0, "claimed": 1, "hedged": 2, "denied": 3}
_BASE_EXCLUDE = {"id", "time", "count", "confidence", "historical"}
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
    kind = event.kind
    place = event.place.id if event.place else "-"
    actor = event.actor.id if event.actor else "-"
    day = event_day(event, published_at)
    if kind is EventKind.civilian_count:
        category = event.category or CivilianCategory.other
        if category in STOCK_CATEGORIES:
            return (kind.value, place, category.value)
        return (kind.value, place, category.value, time_bucket(day, event.time.precision))
    if kind in _CONTROL:
        return (kind.value, place, actor, f"{day.year:04d}")
    root = place.split("/")[0]
    return (kind.value, root, actor, time_bucket(day, event.time.precision))


def canonical_id(key: tuple[str, ...]) -> str:
    """A stable id for a blocking key (sha256: the same in every process)."""
    return "ev-" + hashlib.sha256(_SEP.join(key).encode()).hexdigest()[:24]


def _stamp(moment: datetime) -> str:
    """Fixed-width UTC time: sorts as text in time order (the merge script compares ranks as strings)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_source(source: str) -> str:
    """The outlet as a hash field part: the merge script splits fields on \\x1f."""
    return source.replace(_SEP, " ")


@dataclass(frozen=True)
class MergeItem:
    """One extracted event, ready for the merge script: every string it compares or stores."""

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
            len(self.index_keys),
            *self.index_keys,
        ]


def _index_keys(event: Event) -> tuple[str, ...]:
    found = [keys.EVENTS_INDEX, keys.events_by_kind(event.kind.value)]
    if event.place is not None:
        parts = event.place.id.split("/")
        found += [keys.events_by_place("/".join(parts[: i + 1])) for i in range(len(parts))]
    return tuple(found)


def merge_item(report_id: str, report: ReportIn, event: Event) -> MergeItem:
    """Everything the merge script needs about one extracted event of one report."""
    published = report.published_at
    day = event_day(event, published)
    precision = _PRECISION_RANK[event.time.precision]
    stamp = _stamp(published)
    tie = f"{stamp}{report_id}{_SEP}{event.id}"
    time = EventTime(date=day, precision=event.time.precision, text=event.time.text)
    mention = Mention(
        report_id=report_id,
        event_id=event.id,
        source=report.source,
        published_at=published,
        stance=event.stance,
        historical=event.historical,
        time=time,
        evidence=Span(start=event.evidence.start, end=event.evidence.end, text=event.evidence.text),
        count=event.count,
        attribution=event.attribution,
    )
    depth = len(event.place.id.split("/")) if event.place else 0
    rank = f"{int(event.historical)}{_STANCE_RANK[event.stance]}{precision}{9 - min(depth, 9)}{tie}"
    if event.kind is EventKind.civilian_count:
        # A quantity shows its latest observation: invert the date so the smallest rank is the newest.
        time_rank = f"{99991231 - int(day.strftime('%Y%m%d')):08d}{precision}{tie}"
    else:
        time_rank = f"{precision}{day.isoformat()}{tie}"
    observation = ""
    if event.count is not None and (event.count.min is not None or event.count.max is not None):
        low = "" if event.count.min is None else str(event.count.min)
        high = "" if event.count.max is None else str(event.count.max)
        observation = f"{day.isoformat()}{_SEP}{low}{_SEP}{high}"
    return MergeItem(
        canonical_id=canonical_id(blocking_key(event, published)),
        mention_id=event.id,
        mention_json=orjson.dumps(mention.model_dump(mode="json", exclude_none=True)),
        score=published.timestamp(),
        rank=rank,
        base_json=orjson.dumps(event.model_dump(mode="json", exclude_none=True, exclude=_BASE_EXCLUDE)),
        time_rank=time_rank,
        time_json=orjson.dumps(time.model_dump(mode="json", exclude_none=True)),
        confidence=f"{event.confidence:.3f}",
        historical=event.historical,
        observation=observation,
        index_keys=_index_keys(event),
    )
