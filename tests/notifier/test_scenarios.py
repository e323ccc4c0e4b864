"""Scenarios with exact expected alert lists, on the real Redis, group wait 0 unless said otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import redis

from core import keys
from services.notifier.silences import Silence, SilenceIn
from tests.notifier.conftest import NotifierFactory, alerts, drain, event, kinds, push


def test_capture_corroboration_recapture_denial_and_history(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    nahda = "raqqa/al-nahda"
    push(
        r,
        event("control_change", nahda, "sdf", "islamic-state", stance="claimed", organisation="SDF"),
        "2017-10-14T15:00:00Z",
        source="Field desk",
    )
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda)]
    first = alerts(r)[0]
    assert first["data"]["summary"] == (
        "Control of al-Nahda (Raqqa): Islamic State → SDF, claimed by the SDF, 2017-10-14; 1 independent source"
    )
    # A second outlet on the same capture: more evidence, no new alert.
    push(r, event("control_change", nahda, "sdf", "islamic-state"), "2017-10-14T18:00:00Z", source="Radio desk")
    # A denial and a historical mention: no alert.
    push(r, event("control_change", nahda, "sdf", stance="denied"), "2017-10-15T09:00:00Z", source="Amaq")
    push(r, event("control_change", nahda, "islamic-state", historical=True, day="2014-01-13"), "2017-10-15T10:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda)]
    situation = r.get(keys.situation(nahda))
    assert situation is not None and b'"contested":true' in situation and b'"independent_sources":2' in situation
    # The recapture: a new alert and a notice that the earlier one is superseded.
    push(r, event("control_change", nahda, "islamic-state", "sdf"), "2017-10-16T08:00:00Z", source="Field desk")
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda), ("control_changed", nahda), ("superseded", nahda)]
    recapture, notice = alerts(r)[1:]
    assert "SDF → Islamic State" in recapture["data"]["summary"]
    assert notice["data"]["supersedes"] == first["data"]["fingerprint"]
    assert notice["data"]["summary"].startswith("Superseded: SDF no longer holds al-Nahda (Raqqa)")


def test_a_count_crossing_up_then_down_with_per_place_levels(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    rules = [{"name": "civilians", "kind": "civilian_threshold", "place_levels": {"raqqa": {"trapped": [500, 5000]}}}]
    notifier = make_notifier(rules=rules)
    for value, when in ((300, "2017-10-01T08:00:00Z"), (4000, "2017-10-02T08:00:00Z"), (6000, "2017-10-03T08:00:00Z")):
        push(r, event("civilian_count", "raqqa", category="trapped", count=value), when, source="UN OCHA")
    push(r, event("civilian_count", "mosul", category="trapped", count=4000), "2017-10-03T09:00:00Z")
    # An older estimate arriving late changes nothing; the newest one falls back under 5,000.
    push(r, event("civilian_count", "raqqa", category="trapped", count=100, day="2017-09-20"), "2017-10-04T08:00:00Z")
    push(r, event("civilian_count", "raqqa", category="trapped", count=2500), "2017-10-05T08:00:00Z", source="UNHCR")
    drain(notifier)
    assert kinds(r) == [
        ("civilian_threshold", "raqqa"),
        ("civilian_threshold", "raqqa"),
        ("civilian_threshold", "mosul"),
        ("resolved", "raqqa"),
    ]
    up_500, up_5000, mosul, down = alerts(r)
    assert (up_500["data"]["level"], up_5000["data"]["level"], mosul["data"]["level"]) == (500, 5000, 1000)
    assert up_5000["data"]["summary"] == (
        "Civilians trapped in Raqqa: 4,000 → 6,000, above 5,000; reported by UN OCHA, 2017-10-03"
    )
    assert down["data"]["direction"] == "down" and down["data"]["resolves"] == up_5000["data"]["fingerprint"]
    assert down["data"]["summary"] == (
        "Civilians trapped in Raqqa: 6,000 → 2,500, back under 5,000; reported by UNHCR, 2017-10-05"
    )


def test_flows_add_distinct_canonical_events_once_over_windows(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    first = event("civilian_count", "raqqa", category="killed", count=6, event_id="c-1")
    push(r, first, "2017-10-01T08:00:00Z", canonical={"sources": ["A"], "independent_sources": 1})
    # The same canonical event again, corroborated by a second outlet: not added twice.
    push(
        r,
        first,
        "2017-10-01T09:00:00Z",
        source="B",
        canonical={"sources": ["A", "B"], "independent_sources": 2, "change": "corroborated"},
    )
    push(r, event("civilian_count", "raqqa", category="killed", count=7, event_id="c-2"), "2017-10-06T08:00:00Z")
    push(r, event("civilian_count", "raqqa", category="killed", count=40, event_id="c-3"), "2017-10-08T10:00:00Z")
    drain(notifier)
    situation = orjson.loads(r.get(keys.situation("raqqa")) or b"{}")
    killed = situation["counts"]["killed"]
    assert killed["kind"] == "flow" and killed["min"] == 53
    assert killed["totals"] == {"24h": 40, "7d": 47, "all": 53}
    assert killed["sources"] == ["A", "B", "Wire desk"]
    assert [(a["data"]["level"], a["data"]["value"]) for a in alerts(r)] == [(1, 6), (10, 13), (50, 53)]
    assert alerts(r)[-1]["data"]["summary"].startswith("Civilians killed in Raqqa: 13 → 53 in all (3 events), above 50")


def test_percentage_change_rule(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier(rules=[{"name": "half", "kind": "civilian_change", "percent": 50, "min_count": 100}])
    for value, day in ((1000, "01"), (1200, "02"), (1800, "03"), (2000, "04"), (600, "05")):
        push(r, event("civilian_count", "raqqa", category="displaced", count=value), f"2017-10-{day}T08:00:00Z")
    drain(notifier)
    assert [(a["data"]["previous_value"], a["data"]["value"]) for a in alerts(r)] == [(1000, 1800), (1800, 600)]
    assert alerts(r)[1]["data"]["summary"].startswith("Civilians displaced in Raqqa: 1,800 → 600 (−67%)")


def test_control_rule_filters_sources_confidence_and_places(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    rules = [
        {"name": "syria-confirmed", "kind": "control_changed", "regions": ["syria"], "min_sources": 2},
        {"name": "mosul-sure", "kind": "control_changed", "places": ["mosul"], "min_confidence": 0.8},
    ]
    notifier = make_notifier(rules=rules)
    capture = event("control_change", "palmyra", "syrian-government", "islamic-state", event_id="c-palmyra")
    push(r, capture, "2017-03-02T08:00:00Z", source="A", canonical={"sources": ["A"], "independent_sources": 1})
    push(r, event("control_change", "mosul", "islamic-state", confidence=0.6), "2017-03-02T09:00:00Z")
    drain(notifier)
    assert kinds(r) == []
    push(
        r,
        capture,
        "2017-03-02T10:00:00Z",
        source="B",
        canonical={"sources": ["A", "B"], "independent_sources": 2, "change": "corroborated"},
    )
    push(r, event("control_change", "mosul", "syrian-government", confidence=0.9), "2017-03-03T09:00:00Z")
    drain(notifier)
    assert [(a["data"]["rule"], a["subject"]) for a in alerts(r)] == [
        ("syria-confirmed", "palmyra"),
        ("mosul-sure", "mosul"),
    ]
    assert alerts(r)[0]["data"]["summary"].endswith("2 independent sources")
    assert alerts(r)[0]["data"]["sources"] == ["A", "B"]


def test_baseline_is_its_own_kind_and_off_by_default(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    push(r, event("control_state", "raqqa", "islamic-state"), "2017-06-01T08:00:00Z")
    drain(notifier)
    assert kinds(r) == []
    on = make_notifier(name="n2", rules=[{"name": "baseline", "kind": "control_baseline"}])
    push(r, event("control_state", "palmyra", "islamic-state"), "2017-06-01T09:00:00Z")
    drain(on)
    assert kinds(r) == [("control_baseline", "palmyra")]
    assert alerts(r)[0]["data"]["summary"] == (
        "Baseline for Palmyra: held by Islamic State, reported by Wire desk, 2017-06-01; 1 independent source"
    )


def test_explicit_change_alerts_when_first_learnt_and_late_report_only_fills_history(
    r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    notifier = make_notifier()
    push(r, event("control_change", "raqqa", "sdf", "islamic-state", day="2017-10-17"), "2017-10-17T12:00:00Z")
    # Published later but about an earlier day, and naming another holder: history, not the present.
    push(r, event("control_change", "raqqa", "islamic-state", "sdf", day="2017-10-10"), "2017-10-18T12:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", "raqqa")]
    situation = orjson.loads(r.get(keys.situation("raqqa")) or b"{}")
    assert situation["control"]["controller"] == "sdf"
    assert [state["controller"] for state in situation["history"]] == ["islamic-state"]
    assert situation["control"]["contested"] is False
    # A credible report that someone else holds it now: contested, still no alert, present unchanged.
    push(r, event("control_state", "raqqa", "islamic-state"), "2017-10-19T12:00:00Z", source="Amaq")
    drain(notifier)
    situation = orjson.loads(r.get(keys.situation("raqqa")) or b"{}")
    assert situation["control"]["controller"] == "sdf" and situation["control"]["contested"] is True
    assert situation["control"]["dissent"][0]["source"] == "Amaq"
    assert kinds(r) == [("control_changed", "raqqa")]


def test_silence_mutes_a_place_and_its_children_until_it_ends(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    until = datetime.now(UTC) + timedelta(hours=1)
    silence = Silence.create(SilenceIn(place="raqqa", until=until), datetime.now(UTC))
    r.hset(keys.SILENCES, silence.id, silence.model_dump_json())
    push(r, event("control_change", "raqqa/al-nahda", "sdf", "islamic-state"), "2017-10-14T15:00:00Z")
    push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-10-14T16:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", "palmyra")]
    # The muted state counts as handled: ending the silence does not send it late.
    r.hdel(keys.SILENCES, silence.id)
    push(r, event("control_change", "raqqa/al-nahda", "sdf"), "2017-10-14T17:00:00Z", source="Other desk")
    push(r, event("control_change", "raqqa/al-nahda", "islamic-state", "sdf"), "2017-10-20T17:00:00Z")
    drain(notifier)
    # The recapture alerts; no superseded notice for an alert nobody received.
    assert kinds(r) == [("control_changed", "palmyra"), ("control_changed", "raqqa/al-nahda")]


def test_rule_silence_and_malformed_entries(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    silence = Silence.create(
        SilenceIn(rule="civilians", until=datetime.now(UTC) + timedelta(hours=1)), datetime.now(UTC)
    )
    r.hset(keys.SILENCES, silence.id, silence.model_dump_json())
    r.xadd(keys.EVENTS_STREAM, {"event": b"not json", "report_id": "x", "source": "s", "published_at": "2017-01-01"})
    r.xadd(keys.EVENTS_STREAM, {"event": b"[1]", "report_id": "x", "source": "s", "published_at": "2017-01-01"})
    push(r, event("civilian_count", "raqqa", category="trapped", count=4000), "2017-10-14T15:00:00Z")
    push(r, event("control_change", "raqqa", "sdf"), "2017-10-14T16:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", "raqqa")]
    assert r.xpending(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP)["pending"] == 0


def test_corrupt_stored_state_is_logged_and_replaced_never_a_stuck_notifier(
    r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    notifier = make_notifier()
    r.set(keys.situation("palmyra"), b"{broken")
    r.hset(keys.notified("palmyra"), "control", b"[]")
    push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-03-02T08:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", "palmyra")]
    assert r.xpending(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP)["pending"] == 0


def test_a_denial_that_names_no_one_contests_the_present(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    push(r, event("control_change", "palmyra", "islamic-state", "syrian-government"), "2015-05-21T08:00:00Z")
    drain(notifier)
    situation = r.get(keys.situation("palmyra"))
    assert situation is not None and b'"contested":false' in situation
    # "Officials denied that Palmyra had fallen": no actor, a dispute of whoever we think holds it; no new alert.
    push(r, event("control_denial", "palmyra", stance="denied"), "2015-05-21T12:00:00Z", source="State TV")
    drain(notifier)
    assert kinds(r) == [("control_changed", "palmyra")]
    situation = r.get(keys.situation("palmyra"))
    assert situation is not None and b'"contested":true' in situation and b"State TV" in situation
