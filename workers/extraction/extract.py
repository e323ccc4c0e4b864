"""The extractor: find candidate sentences with one automaton pass, run the rule families on them, merge."""

from __future__ import annotations

import bisect
import logging
import sys
import time
from collections.abc import Callable
from datetime import date, datetime

from schemas.events import Event, EventKind, Place, Quantity

from .civilians import extract_civilians
from .control import extract_control
from .document import Document, Sentence
from .lexicons import load
from .other_kinds import extract_other
from .surrenders import extract_surrenders

MAX_CHARS = 2_000_000
#: Sentences analysed per report, in text order. A real report has far fewer candidate sentences; the cap keeps a
#: pathological megabyte of cue words to a bounded time while leaving the result a pure function of the input.
MAX_CANDIDATES = 2000
#: Tests set this to True so that a bug in a rule family raises instead of being logged and skipped.
STRICT = False
log = logging.getLogger(__name__)
Family = Callable[[Document, Sentence], list[Event]]


class ExtractionBudgetExceeded(Exception):
    """One report took longer than its time budget: it fails alone, and its worker goes on with the batch."""


_FAMILIES: tuple[tuple[str, Family], ...] = (
    ("control", extract_control),
    ("civilian.categories", extract_civilians),
    ("surrender", extract_surrenders),
    ("other_kinds", extract_other),
)


def _as_date(published: datetime | date | None) -> date | None:
    if isinstance(published, datetime):
        return published.date()
    return published


def extract_events(
    text: str, published: datetime | date | None, report_id: str | None = None, deadline: float | None = None
) -> list[Event]:
    """Structured events from one report's text; a pure function of its arguments and the lexicons.

    Past `deadline` (time.monotonic()) it raises ExtractionBudgetExceeded between two sentences."""
    if not text or not text.strip():
        return []
    lex = load()
    doc = Document(lex, text[:MAX_CHARS], _as_date(published), report_id)
    low = doc.low
    families: dict[int, set[str]] = {}
    starts = [s for s, _ in doc.spans]
    if not starts:
        return []
    limit = -1  # where the sentence of the last hit ends (the next one starts): hits come in text order
    current: set[str] | None = None
    for end, fams in lex.automaton.iter(low):
        if end >= limit:
            idx = bisect.bisect_right(starts, end) - 1
            limit = starts[idx + 1] if idx + 1 < len(starts) else len(low)
            current = families.setdefault(idx, set()) if idx >= 0 else None
        if current is not None:
            current.update(fams)
    events: list[Event] = []
    for idx in sorted(families)[:MAX_CANDIDATES]:
        names = families[idx]
        sent = doc.view(idx)
        if deadline is not None and time.monotonic() > deadline:
            raise ExtractionBudgetExceeded(f"report {report_id}: past its budget at sentence {idx}")
        for family, run in _FAMILIES:
            if family not in names:
                continue
            try:
                events.extend(run(doc, sent))
            except Exception as error:  # one odd sentence must not cost the whole report
                if STRICT or _job_timeout(error):
                    raise
                log.warning("extraction: %s failed on sentence %d of report %s", family, idx, report_id, exc_info=True)
    return _dedupe(_one_place_per_name(events))


def _job_timeout(error: Exception) -> bool:
    """RQ's job timeout (raised by its alarm wherever the job is) belongs to the job, never to one sentence.
    Looked up only if rq is loaded: the offline extractor does not pay for importing it."""
    timeouts = sys.modules.get("rq.timeouts")
    return timeouts is not None and isinstance(error, timeouts.JobTimeoutException)


def _one_place_per_name(events: list[Event]) -> list[Event]:
    """A place the gazetteer does not know keeps one id in a report: 'the village of X in the Y region' and a
    later bare 'X' are the same place (its parent is part of the id), so they make one event and one alert."""
    located: dict[str, Place] = {}
    for e in events:
        if e.place is not None and not e.place.resolved and e.place.parent:
            located.setdefault(e.place.name.lower(), e.place)
    if not located:
        return events
    out: list[Event] = []
    for e in events:
        place = e.place
        same = located.get(place.name.lower()) if place is not None and not place.resolved else None
        out.append(e.model_copy(update={"place": same}) if same is not None and place and not place.parent else e)
    return out


def _within(count: Quantity, exact: list[int | None]) -> bool:
    """Whether a vague count ('more than 1,000') holds an exact count the report gives for a surrender."""
    low = count.min if count.min is not None else 0
    return any(x is not None and low <= x and (count.max is None or x <= count.max) for x in exact)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per distinct fact: the same figure or the same capture repeated is kept once (first mention)."""
    seen: set[tuple[object, ...]] = set()
    out: list[Event] = []
    counted = {e.actor.id for e in events if e.kind == EventKind.surrender and e.actor and e.count}
    exact = [e.count.min for e in events if e.kind == EventKind.surrender and e.count and e.count.exact]
    for e in events:
        if e.kind == EventKind.surrender and e.count is None and e.actor is not None and e.actor.id in counted:
            continue  # "X had surrendered ... the group that surrendered comprised 531 people": one surrender
        if e.kind == EventKind.surrender and e.count is not None and not e.count.exact and _within(e.count, exact):
            continue  # "1,026 soldiers surrendered ... more than 1,000 marines had surrendered": told again, vaguer
        if e.kind == EventKind.civilian_count and e.count is not None:
            key: tuple[object, ...] = (e.kind, e.category, e.count.min, e.count.max)
        elif e.kind in (EventKind.control_change, EventKind.control_state):
            key = (e.kind, e.place.id if e.place else None, e.actor.id if e.actor else None)
        elif (
            e.kind == EventKind.surrender
        ):  # one count told twice ("1,026 soldiers of X", "1,026 Y soldiers"): one fact
            key = (e.kind, e.count.min) if e.count else (e.kind, e.actor.id if e.actor else None, None)
        else:
            key = (e.kind, e.evidence.start)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
