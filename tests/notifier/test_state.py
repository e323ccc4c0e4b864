"""Pure parts: reading stream entries (plain and canonical), rule matching, levels, flows."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from schemas.situation import Situation
from services.notifier.consumer import parse_entry
from services.notifier.rules import ControlRule, ThresholdRule
from services.notifier.state import EventRecord, apply_event
from tests.notifier.conftest import event


def fields(payload: dict[str, object], **extra: str) -> dict[bytes, bytes]:
    base = {"report_id": "r1", "source": "Wire desk", "published_at": "2017-10-14T15:00:00+00:00", **extra}
    return {b"event": orjson.dumps(payload), **{key.encode(): value.encode() for key, value in base.items()}}


def test_a_plain_event_entry_counts_its_own_outlet() -> None:
    record = parse_entry("1-0", fields(event("control_change", "raqqa", "sdf").model_dump(mode="json")))
    assert (record.canonical, record.independent_sources, record.sources) == (False, 1, ["Wire desk"])


def test_a_canonical_entry_is_read_leniently() -> None:
    payload = event("control_change", "raqqa", "sdf").model_dump(mode="json")
    payload.update(mentions=[{"report_id": "r0"}], sources=["A", "B"], independent_sources=2, cluster="extra")
    record = parse_entry("1-0", fields(payload, change="corroborated"))
    assert (record.canonical, record.independent_sources, record.sources, record.change) == (
        True,
        2,
        ["A", "B"],
        "corroborated",
    )
    payload.update(independent_sources="many", sources=None)
    record = parse_entry("1-0", fields(payload, change="mention"))
    assert (record.independent_sources, record.sources) == (1, ["Wire desk"])


@pytest.mark.parametrize("bad", [b"[]", b"{}", b"{oops"])
def test_malformed_events_raise_value_errors(bad: bytes) -> None:
    entry = fields({}) | {b"event": bad}
    with pytest.raises(ValueError):
        parse_entry("1-0", entry)


def test_places_include_their_children_and_regions_match_countries() -> None:
    rule = ControlRule(name="r", kind="control_changed", places=["Raqqa"], regions=["Iraq"])
    assert rule.matches("raqqa", "Syria") and rule.matches("raqqa/al-nahda", "Syria")
    assert rule.matches("mosul", "Iraq") and not rule.matches("raqqa-east", "Syria")
    assert ControlRule(name="any", kind="control_changed").matches("anywhere", None)


def test_levels_most_specific_first() -> None:
    rule = ThresholdRule(
        name="t",
        kind="civilian_threshold",
        levels={"trapped": [50]},
        place_levels={"Raqqa": {"trapped": [500]}, "raqqa/al-nahda": {"trapped": [5]}},
    )
    assert rule.levels_for("raqqa/al-nahda", "trapped") == (5,)
    assert rule.levels_for("raqqa/al-mishlab", "trapped") == (500,)
    assert rule.levels_for("mosul", "trapped") == (50,)
    assert rule.levels_for("mosul", "killed") == (1, 10, 50, 100, 500)


def test_flow_windows_count_back_from_the_latest_report_not_the_wall_clock() -> None:
    situation = Situation(place_id="raqqa", name="Raqqa")
    for number, published in ((5, "2015-01-01T00:00:00+00:00"), (3, "2015-01-05T00:00:00+00:00")):
        item = event("civilian_count", "raqqa", category="wounded", count=number)
        record = EventRecord("1-0", item, "r", "s", datetime.fromisoformat(published))
        assert apply_event(situation, record)
    wounded = situation.counts["wounded"]
    assert wounded.totals == {"24h": 3, "7d": 8, "all": 8}
    assert situation.report_time == datetime(2015, 1, 5, tzinfo=UTC)


def test_historical_news_fills_history_and_never_the_present() -> None:
    situation = Situation(place_id="raqqa", name="Raqqa")
    past = event("control_change", "raqqa", "islamic-state", historical=True, day="2014-01-13")
    assert apply_event(situation, EventRecord("1-0", past, "r1", "s", datetime(2017, 10, 1, tzinfo=UTC)))
    assert situation.control is None and [item.basis for item in situation.history] == ["historical"]
    capture = event("control_change", "raqqa", "sdf")
    assert apply_event(situation, EventRecord("2-0", capture, "r2", "s", datetime(2017, 10, 20, tzinfo=UTC)))
    assert situation.control is not None and situation.control.previous_name == "Islamic State"
    # The same holder in a historical mention is not evidence for the present.
    again = event("control_change", "raqqa", "sdf", historical=True, day="2016-01-01")
    apply_event(situation, EventRecord("3-0", again, "r3", "s2", datetime(2017, 10, 21, tzinfo=UTC)))
    assert situation.control.sources == ["s"] and len(situation.history) == 2


def test_the_same_past_holding_heard_twice_is_one_history_entry() -> None:
    situation = Situation(place_id="raqqa", name="Raqqa")
    past = event("control_change", "raqqa", "islamic-state", historical=True, day="2014-01-13")
    for number, source in ((1, "a"), (2, "b")):
        apply_event(
            situation, EventRecord(f"{number}-0", past, f"r{number}", source, datetime(2017, 10, 1, tzinfo=UTC))
        )
    assert len(situation.history) == 1 and situation.history[0].sources == ["a", "b"]
