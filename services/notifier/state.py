"""Situation updates as pure functions: (situation, event) → the situation after it.

"Now" is the time of the reports, never the wall clock, so replaying an archive in order gives the
state the live stream would have. A change counts when it is asserted or claimed, not historical,
and not older than the state it would replace; anything else only fills history. Alerts are not
decided here: `evaluate.py` compares the situation with what was already notified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from core import defaults
from schemas.events import STOCK_CATEGORIES, CivilianCategory, Event, EventKind
from schemas.situation import ControlState, CountContribution, CountState, Dissent, Situation

_ACTIVE_STANCES = {"asserted", "claimed"}
FLOW_WINDOWS: dict[str, timedelta | None] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "all": None}


@dataclass(frozen=True)
class EventRecord:
    """An event as the stream carries it, with the report facts the notifier needs.

    `canonical` is true for entries written after deduplication: then `independent_sources` and
    `sources` describe every report merged into the event, not just this one.
    """

    entry_id: str
    event: Event
    report_id: str
    source: str
    published_at: datetime
    canonical: bool = False
    independent_sources: int = 1
    sources: list[str] = field(default_factory=list)
    change: str = "created"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def report_time(record: EventRecord) -> datetime:
    """The report's publication time: the notifier's "now"."""
    return _utc(record.published_at)


def event_time(record: EventRecord) -> datetime:
    """When the event happened: its resolved date (at the report's time of day if the same day), else publication."""
    published = report_time(record)
    day = record.event.time.date
    if day is None or day == published.date():
        return published
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def new_situation(record: EventRecord) -> Situation:
    place = record.event.place
    assert place is not None
    return Situation(place_id=place.id, name=place.name, parent=place.parent, country=place.country)


def _add_unique(items: list[str], value: str) -> None:
    """Append once; keep the newest MAX_IDS so a busy place's situation does not grow without end."""
    if value not in items:
        items.append(value)
        del items[: -defaults.SITUATION_MAX_IDS]


def claim_words(event: Event, source: str) -> str:
    """'claimed by the Syrian Democratic Forces (spokesman Mustafa Bali)', or who reported it."""
    who = event.attribution
    if who and (who.speaker or who.organisation):
        speaker = " ".join(part for part in (who.role, who.speaker) if part)
        if who.organisation and speaker:
            return f"claimed by the {who.organisation} ({speaker})"
        return f"claimed by {speaker or 'the ' + str(who.organisation)}"
    if event.stance == "claimed" and event.actor is not None:
        return f"claimed by the {event.actor.name}"
    return f"reported by {source}"


def _add_evidence(state: ControlState, record: EventRecord) -> None:
    """Count independent sources: a canonical event says how many it stands for; a plain one counts its outlet."""
    event = record.event
    _add_unique(state.events, event.id)
    _add_unique(state.reports, record.report_id)
    for source in record.sources or [record.source]:
        _add_unique(state.sources, source)
    if record.canonical:
        key = f"event:{event.id}"
        state.evidence[key] = max(state.evidence.get(key, 0), max(record.independent_sources, 1))
    else:
        state.evidence[f"source:{record.source}"] = 1
    state.independent_sources = sum(state.evidence.values())
    state.confidence = max(state.confidence, event.confidence)


def _note_dissent(state: ControlState, record: EventRecord, controller: str | None, now: datetime) -> None:
    """A credible recent report that disagrees makes the state contested; old dissent fades."""
    event = record.event
    if event.confidence < defaults.CONTESTED_MIN_CONFIDENCE:
        return
    window = timedelta(seconds=defaults.CONTESTED_WINDOW_SECONDS)
    if state.since is not None and event_time(record) < state.since - window:
        return
    if all(item.event != event.id for item in state.dissent):
        state.dissent.append(
            Dissent(event=event.id, source=record.source, controller=controller, stance=event.stance, time=now)
        )
    _refresh_contested(state, now)


def _refresh_contested(state: ControlState, now: datetime) -> None:
    window = timedelta(seconds=defaults.CONTESTED_WINDOW_SECONDS)
    state.dissent = [item for item in state.dissent if item.time >= now - window]
    state.contested = bool(state.dissent)


def _file_history(situation: Situation, state: ControlState) -> None:
    """Insert in time order, with the newest few ids of its evidence; keep the newest holders only."""
    keep = defaults.HISTORY_MAX_IDS
    state = state.model_copy(
        update={
            "events": state.events[-keep:],
            "reports": state.reports[-keep:],
            "sources": state.sources[-keep:],
            "evidence": {},
            "dissent": [],
            "contested": False,
        }
    )
    for earlier in situation.history:
        if earlier.controller == state.controller and earlier.since == state.since:
            for name in ("events", "reports", "sources"):  # the same holding heard again: one entry
                merged: list[str] = getattr(earlier, name)
                for value in getattr(state, name):
                    _add_unique(merged, value)
                del merged[:-keep]
            return
    situation.history.append(state)
    situation.history.sort(key=lambda item: item.since or datetime.min.replace(tzinfo=UTC))
    del situation.history[: -defaults.SITUATION_MAX_HISTORY]


def apply_control(situation: Situation, record: EventRecord) -> bool:
    """Update who controls the place. Returns whether the situation changed."""
    event = record.event
    now = report_time(record)
    current = situation.control
    if event.kind is EventKind.control_denial or event.stance == "denied":
        # "X denied taking Y" while we think X holds Y, or "officials denied that Y had fallen" (no one named):
        # the present is in dispute.
        holder = event.actor.id if event.actor is not None else None
        if current is not None and holder in (None, current.controller) and not event.historical:
            _note_dissent(current, record, None, now)
            return True
        return False
    if event.actor is None:
        return False
    if event.stance not in _ACTIVE_STANCES:
        return False  # hedged into a possibility
    when = event_time(record)
    if current is not None:
        _refresh_contested(current, now)
    if current is not None and current.controller == event.actor.id and not event.historical:
        _add_evidence(current, record)
        return True
    is_change = event.kind is EventKind.control_change and not event.historical
    basis = "change" if is_change else ("historical" if event.historical else "state")
    state = ControlState(
        controller=event.actor.id,
        controller_name=event.actor.name,
        since=when,
        previous=current.controller if current else (event.previous_actor.id if event.previous_actor else None),
        previous_name=current.controller_name
        if current
        else (event.previous_actor.name if event.previous_actor else None),
        basis=basis,
        claimed_by=claim_words(event, record.source),
    )
    _add_evidence(state, record)
    if event.historical:
        _file_history(situation, state)  # "seized Raqqa in 2014": the past, whatever we know of the present
        return True
    if state.previous is None and situation.history:
        state.previous, state.previous_name = situation.history[-1].controller, situation.history[-1].controller_name
    newer = current is None or current.since is None or when >= current.since
    replaces_baseline = (
        current is not None and current.basis != "change" and basis == "state" and newer
    )  # a fresher holding learnt without a change updates a baseline, never an explicit capture
    if current is not None and not replaces_baseline and (not is_change or not newer):
        # Late, historical or changeless news of another holder: it belongs to the past, not the present.
        # A late capture is consistent with the present (it came before it), but a report that someone
        # else holds the place now puts the present in dispute.
        _file_history(situation, state)
        if not is_change and newer:
            _note_dissent(current, record, event.actor.id, now)
        return True
    if current is not None:
        _file_history(situation, current)
    situation.control = state
    return True


def _count_range(event: Event) -> tuple[int, int | None] | None:
    if event.count is None:
        return None
    low = event.count.min if event.count.min is not None else event.count.max
    if low is None:
        return None
    return low, event.count.max


def flow_totals(count: CountState, now: datetime) -> dict[str, int]:
    """Sum of distinct events per window, counted back from the latest report time."""
    totals: dict[str, int] = {}
    for name, span in FLOW_WINDOWS.items():
        totals[name] = sum(item.min for item in count.contributions if span is None or item.time >= now - span)
    totals["all"] += count.folded
    return totals


def _fold_old(count: CountState, now: datetime) -> None:
    """Contributions older than the longest window only matter to the all-time sum: fold them into it."""
    horizon = now - timedelta(days=7)
    old = [item for item in count.contributions if item.time < horizon]
    if old:
        count.folded += sum(item.min for item in old)
        count.contributions = [item for item in count.contributions if item.time >= horizon]


def apply_count(situation: Situation, record: EventRecord) -> bool:
    """Stocks take the latest estimate; flows add each distinct canonical event once."""
    event = record.event
    numbers = _count_range(event)
    if event.category is None or numbers is None or event.stance not in _ACTIVE_STANCES or event.historical:
        return False
    category = event.category.value
    when = event_time(record)
    now = report_time(record)
    current = situation.counts.get(category)
    sources = record.sources or [record.source]
    if current is not None and event.id in current.events:
        for source in sources:  # a corroboration: more outlets, same number
            _add_unique(current.sources, source)
        _add_unique(current.reports, record.report_id)
        return True
    if CivilianCategory(category) in STOCK_CATEGORIES:
        if current is not None and current.as_of is not None and when < current.as_of:
            return False  # an older estimate than the one we hold
        situation.counts[category] = CountState(
            category=category,
            kind="stock",
            min=numbers[0],
            max=numbers[1],
            as_of=when,
            events=[event.id],
            reports=[record.report_id],
            sources=list(dict.fromkeys(sources)),
        )
        return True
    contributions = list(current.contributions) if current else []
    contributions.append(
        CountContribution(event=event.id, min=numbers[0], max=numbers[1], time=when, source=record.source)
    )
    all_max = current.max if current else 0
    new = CountState(
        category=category,
        kind="flow",
        min=(current.min or 0 if current else 0) + numbers[0],
        max=None if all_max is None or numbers[1] is None else all_max + numbers[1],
        as_of=max(when, current.as_of) if current and current.as_of else when,
        folded=current.folded if current else 0,
        contributions=contributions,
        events=list(current.events) if current else [],
        reports=list(current.reports) if current else [],
        sources=list(current.sources) if current else [],
    )
    _add_unique(new.events, event.id)
    _add_unique(new.reports, record.report_id)
    latest = max(now, situation.report_time or now)
    _fold_old(new, latest)
    new.totals = flow_totals(new, latest)
    for source in sources:
        _add_unique(new.sources, source)
    situation.counts[category] = new
    return True


SITUATION_KINDS = frozenset(
    {EventKind.control_change, EventKind.control_state, EventKind.control_denial, EventKind.civilian_count}
)
"""The event kinds a place's situation is made of; `apply_event` ignores the rest."""


def apply_event(situation: Situation, record: EventRecord) -> bool:
    """Route an event to the part of the situation it changes; returns whether anything changed."""
    kind = record.event.kind
    if kind in (EventKind.control_change, EventKind.control_state, EventKind.control_denial):
        changed = apply_control(situation, record)
    elif kind is EventKind.civilian_count:
        changed = apply_count(situation, record)
    else:
        return False
    if changed:
        now = report_time(record)
        if situation.report_time is None or now > situation.report_time:
            situation.report_time = now
            for count in situation.counts.values():
                if count.kind == "flow":
                    _fold_old(count, now)
                    count.totals = flow_totals(count, now)
        situation.updated_at = record.published_at
    return changed
