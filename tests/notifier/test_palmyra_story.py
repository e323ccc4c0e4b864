"""Palmyra, 2015-2016, told by two outlets per change and denied once: the whole path from report text through
the real extractor, dedup (on the suite's Redis) and the notifier gives one canonical event and one control alert
per real change, each corroborated by both outlets. Every sentence was written for this test."""

from __future__ import annotations

from typing import Any

import orjson
import redis

from core import keys
from core.event_reader import read_events
from core.settings import WorkerSettings
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, prepare
from tests.notifier.conftest import NotifierFactory, alerts, drain
from workers.processing import process_batch

STORY = [
    (
        "Desk A",
        "2015-05-21T09:00:00Z",
        "Islamic State militants seized the desert city of Palmyra on Wednesday "
        "after government forces withdrew, a monitoring group said.",
    ),
    (
        "Desk B",
        "2015-05-21T11:00:00Z",
        "IS fighters captured the ancient town of Tadmur on Wednesday, activists "
        "said, in a blow to the Syrian government.",
    ),
    (
        "State TV",
        "2015-05-22T08:00:00Z",
        "Syrian officials denied that Palmyra had fallen, saying troops were still fighting inside the city.",
    ),
    (
        "Desk A",
        "2016-03-27T10:00:00Z",
        "The Syrian army recaptured Palmyra from the Islamic State group on Sunday, state television said.",
    ),
    (
        "Desk B",
        "2016-03-27T12:00:00Z",
        "Government troops backed by Russian air strikes retook the city of "
        "Palmyra on Sunday, ending ten months of jihadist rule.",
    ),
    (
        "Desk A",
        "2016-12-11T10:00:00Z",
        "Islamic State fighters recaptured Palmyra on Sunday despite Russian air strikes, a monitor said.",
    ),
    (
        "Desk B",
        "2016-12-11T13:00:00Z",
        "IS took Palmyra back on Sunday, a Britain-based war monitor reported.",
    ),
]


def _post(r: redis.Redis, source: str, published_at: str, text: str) -> str:
    report = ReportIn.model_validate({"source": source, "published_at": published_at, "text": text})
    (outcome,) = ReportStore(r).commit([prepare(report)])
    process_batch(r, [outcome.id], WorkerSettings())
    return outcome.id


def _situation(r: redis.Redis) -> dict[str, Any]:
    raw = r.get(keys.situation("palmyra"))
    assert raw is not None
    found: dict[str, Any] = orjson.loads(raw)
    return found


def test_three_changes_told_twice_and_a_denial(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    contested_after_denial = None
    for source, published_at, text in STORY:
        _post(r, source, published_at, text)
        drain(notifier)
        if source == "State TV":
            contested_after_denial = _situation(r)["control"]["contested"]
    control = [a for a in alerts(r) if a["type"] == "sitrep.alert.control_changed"]
    assert [a["subject"] for a in control] == ["palmyra"] * 3
    changes = [a["data"]["summary"].split(": ", 1)[1].split(",")[0] for a in control]
    assert [change.split(" → ")[1] for change in changes] == [
        "Islamic State",
        "Syrian government forces",
        "Islamic State",
    ]
    assert changes[1:] == ["Islamic State → Syrian government forces", "Syrian government forces → Islamic State"]
    assert contested_after_denial is True
    # One canonical capture event per change, each corroborated by both desks.
    entries: Any = r.xrange(keys.EVENTS_STREAM)
    ids = list(dict.fromkeys(fields[b"event_id"].decode() for _, fields in entries))
    canonical = [orjson.loads(raw) for raw in read_events(r, ids, 0) if raw]
    captures = [e for e in canonical if e.get("kind") == "control_change"]
    assert len(captures) == 3
    assert all(e.get("independent_sources") == 2 for e in captures)
