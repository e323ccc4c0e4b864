"""Situation updates as pure functions: (situation, event) → new situation and the alerts it calls for.

"Now" is the time of the reports, never the wall clock, so replaying an archive in order gives the
alerts the live stream would have. A change counts when it is asserted or claimed, not historical,
and not older than the state it would replace; anything else only fills history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from schemas.events import STOCK_CATEGORIES, CivilianCategory, Event, EventKind
from schemas.situation import ControlState, CountState, Situation
from services.notifier.thresholds import DEFAULT_LEVELS, level_index

_ACTIVE_STANCES = {"asserted", "claimed"}


@dataclass(frozen=True)
class EventRecord:
    """An event as the stream carries it, with the report facts the notifier needs."""

    entry_id: str
    event: Event
    report_id: str
    source: str
    published_at: datetime


@dataclass
class AlertIntent:
    """An alert the situation change calls for; the emitter turns it into a CloudEvent."""

    type: str
    fingerprint: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    summary: str
    time: datetime
    events: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def fingerprint(*parts: object) -> str:
    """Stable id of an alert's state: the same parts always give the same fingerprint."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:24]


def event_time(record: EventRecord) -> datetime:
    """When the event happened: its resolved date (at the report's time of day if the same day), else publication."""
    published = record.published_at if record.published_at.tzinfo else record.published_at.replace(tzinfo=UTC)
    day = record.event.time.date
    if day is None or day == published.date():
        return published
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def new_situation(record: EventRecord) -> Situation:
    place = record.event.place
    assert place is not None
    return Situation(place_id=place.id, name=place.name, parent=place.parent)


def _add_unique(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _place_label(situation: Situation) -> str:
    return f"{situation.name} ({situation.parent})" if situation.parent else situation.name


def _claim_words(record: EventRecord) -> str:
    event = record.event
    who = event.attribution
    if who and (who.speaker or who.organisation):
        parts = [p for p in (who.role, who.speaker) if p]
        speaker = " ".join(parts)
        org = who.organisation
        if org and speaker:
            return f"claimed by the {org} ({speaker})"
        return f"claimed by {speaker or 'the ' + str(org)}"
    return "claimed" if event.stance == "claimed" else f"reported by {record.source}"


def apply_control(situation: Situation, record: EventRecord) -> list[AlertIntent]:
    """Update who controls the place; return the alerts that follow."""
    event = record.event
    if event.actor is None or event.stance not in _ACTIVE_STANCES:
        return []
    when = event_time(record)
    current = situation.control
    if current is not None and current.controller == event.actor.id:
        _add_unique(current.events, event.id)
        _add_unique(current.reports, record.report_id)
        _add_unique(current.sources, record.source)
        return []
    state = ControlState(
        controller=event.actor.id,
        controller_name=event.actor.name,
        since=when,
        previous=current.controller if current else (event.previous_actor.id if event.previous_actor else None),
        previous_name=current.controller_name
        if current
        else (event.previous_actor.name if event.previous_actor else None),
        events=[event.id],
        reports=[record.report_id],
        sources=[record.source],
    )
    is_change = event.kind is EventKind.control_change and not event.historical
    if current is not None and (not is_change or (current.since is not None and when < current.since)):
        # Late or historical news of another holder: it belongs to the past, not the present.
        situation.history.append(state)
        situation.history.sort(key=lambda item: item.since or datetime.min.replace(tzinfo=UTC))
        return []
    if current is not None:
        situation.history.append(current)
    situation.control = state
    if not is_change:
        return []  # a baseline ("IS-held Raqqa"), learnt without a change
    before = current.model_dump(mode="json") if current else None
    arrow = f"{state.previous_name or 'unknown'} → {state.controller_name}"
    summary = (
        f"Control of {_place_label(situation)}: {arrow}, {_claim_words(record)}, {when.date().isoformat()}; "
        f"{len(state.sources)} source"
    )
    intents = [
        AlertIntent(
            type="sitrep.alert.control_changed",
            fingerprint=fingerprint("control", situation.place_id, state.controller, when.date()),
            before=before,
            after=state.model_dump(mode="json"),
            summary=summary,
            time=when,
            events=[event.id],
            reports=[record.report_id],
            sources=[record.source],
        )
    ]
    if current is not None and current.since is not None:
        intents.append(
            AlertIntent(
                type="sitrep.alert.superseded",
                fingerprint=fingerprint("superseded", situation.place_id, current.controller, current.since.date()),
                before=current.model_dump(mode="json"),
                after=state.model_dump(mode="json"),
                summary=f"Superseded: {current.controller_name} no longer holds {_place_label(situation)} ({arrow})",
                time=when,
                events=[event.id],
                reports=[record.report_id],
                sources=[record.source],
            )
        )
    return intents


def _count_value(event: Event) -> int | None:
    if event.count is None:
        return None
    return event.count.min if event.count.min is not None else event.count.max


def apply_count(situation: Situation, record: EventRecord) -> list[AlertIntent]:
    """Update a civilian count (stocks take the latest estimate, flows add up); alert on a level crossed."""
    event = record.event
    value = _count_value(event)
    if event.category is None or value is None or event.stance not in _ACTIVE_STANCES or event.historical:
        return []
    category = event.category.value
    when = event_time(record)
    current = situation.counts.get(category)
    if current is not None and event.id in current.events:
        return []
    old_value = current.min if current else None
    if CivilianCategory(category) in STOCK_CATEGORIES:
        if current is not None and current.as_of is not None and when < current.as_of:
            return []  # an older estimate than the one we hold
        new = CountState(category=category, min=value, max=event.count.max if event.count else None, as_of=when)
        new.events = [event.id]
        new.sources = [record.source]
    else:
        total = (old_value or 0) + value
        new = CountState(
            category=category,
            min=total,
            max=None,
            as_of=max(when, current.as_of) if current and current.as_of else when,
        )
        new.events = [*(current.events if current else []), event.id]
        new.sources = list(current.sources) if current else []
        _add_unique(new.sources, record.source)
    situation.counts[category] = new
    levels = DEFAULT_LEVELS.get(category, ())
    old_level, new_level = level_index(levels, old_value), level_index(levels, new.min)
    if old_level == new_level:
        return []
    direction = "up" if new_level > old_level else "down"
    crossed = levels[new_level - 1] if direction == "up" else levels[new_level]
    summary = (
        f"Civilians {category} in {_place_label(situation)}: {old_value if old_value is not None else 'none known'}"
        f" → {new.min}{'+' if new.max is None and category in ('killed', 'wounded') else ''},"
        f" {'above' if direction == 'up' else 'below'} {crossed:,}; reported by {record.source}, {when.date().isoformat()}"
    )
    return [
        AlertIntent(
            type="sitrep.alert.civilian_threshold",
            fingerprint=fingerprint("count", situation.place_id, category, crossed, direction, when.date()),
            before=current.model_dump(mode="json") if current else None,
            after=new.model_dump(mode="json"),
            summary=summary,
            time=when,
            events=[event.id],
            reports=[record.report_id],
            sources=[record.source],
            extra={"category": category, "level": crossed, "direction": direction},
        )
    ]


def apply_event(situation: Situation, record: EventRecord) -> list[AlertIntent]:
    """Route an event to the part of the situation it changes."""
    kind = record.event.kind
    if kind in (EventKind.control_change, EventKind.control_state):
        intents = apply_control(situation, record)
    elif kind is EventKind.civilian_count:
        intents = apply_count(situation, record)
    else:
        return []
    situation.updated_at = record.published_at
    return intents
