"""Shared helpers for the extractor tests. Every report text here was written for these tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from schemas.events import Event, EventKind
from workers.extraction import extract


@pytest.fixture(autouse=True)
def strict_extraction() -> Iterator[None]:
    """Make a failing rule family raise in tests instead of being logged and skipped."""
    old = extract.STRICT
    extract.STRICT = True
    yield
    extract.STRICT = old


def run(text: str, published: date | None = date(2017, 10, 14), report_id: str | None = "t") -> list[Event]:
    return extract.extract_events(text, published, report_id)


def of_kind(events: list[Event], kind: EventKind) -> list[Event]:
    return [e for e in events if e.kind == kind]


def controls(text: str, published: date | None = date(2017, 10, 14)) -> list[Event]:
    return of_kind(run(text, published), EventKind.control_change)


def counts(text: str, published: date | None = date(2017, 10, 14)) -> list[Event]:
    return of_kind(run(text, published), EventKind.civilian_count)


def changes(text: str) -> list[tuple[str, str]]:
    """(place name, actor name) of each control change in `text`."""
    return [
        (e.place.name, e.actor.name)
        for e in of_kind(run(text), EventKind.control_change)
        if e.place is not None and e.actor is not None
    ]


def actor_of(text: str) -> tuple[str, str] | None:
    """(id, name) of the first control change's actor, None when there is none."""
    found = controls(text, None)
    if not found or found[0].actor is None:
        return None
    return found[0].actor.id, found[0].actor.name
