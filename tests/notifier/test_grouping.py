"""Group wait, repeat and replay: timers kept in Redis, report time as "now"."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from core import keys
from schemas.events import Event
from services.notifier import grouping
from services.notifier.batch import Batch
from services.notifier.emitter import AlertEmitter
from tests.helpers import wait_until
from tests.notifier.conftest import NotifierFactory, alerts, drain, event, kinds, push

NAHDA = "raqqa/al-nahda"


def flushed_alerts(notifier: Any, r: redis.Redis, count: int) -> list[dict[str, Any]]:
    """Let the notifier flush due groups (a wall-clock timer) until `count` alerts are logged."""
    wait_until(lambda: notifier.flush_due() >= 0 and len(alerts(r)) >= count, timeout_seconds=5, what="alerts")
    return alerts(r)


def test_a_burst_within_the_group_wait_gives_one_alert(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier(group_wait=0.3)
    for source in ("Field desk", "Radio desk", "Wire desk"):
        push(r, event("control_change", NAHDA, "sdf", "islamic-state"), "2017-10-14T15:00:00Z", source=source)
    push(r, event("civilian_count", "raqqa", category="trapped", count=200), "2017-10-14T15:00:00Z")
    push(r, event("civilian_count", "raqqa", category="trapped", count=4000), "2017-10-14T15:00:00Z")
    drain(notifier)
    assert alerts(r) == [] and r.zcard(keys.ALERT_GROUPS) == 2
    found = flushed_alerts(notifier, r, 2)
    assert kinds(r) == [("control_changed", NAHDA), ("civilian_threshold", "raqqa")] or kinds(r) == [
        ("civilian_threshold", "raqqa"),
        ("control_changed", NAHDA),
    ]
    control = next(alert for alert in found if alert["subject"] == NAHDA)
    assert control["data"]["sources"] == ["Field desk", "Radio desk", "Wire desk"]
    assert control["data"]["summary"].endswith("3 independent sources")
    count = next(alert for alert in found if alert["subject"] == "raqqa")
    assert count["data"]["level"] == 1000  # one alert for the burst, at the level it ended on
    assert r.zcard(keys.ALERT_GROUPS) == 0 and not r.exists(keys.alert_group(NAHDA))
    assert notifier.flush_due() == 0 and len(alerts(r)) == 2


def test_a_flip_and_back_within_the_group_wait_alerts_nothing(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier(group_wait=0.2)
    push(r, event("control_change", NAHDA, "islamic-state"), "2017-06-01T10:00:00Z")
    drain(notifier)
    flushed_alerts(notifier, r, 1)
    push(r, event("control_change", NAHDA, "sdf", "islamic-state"), "2017-10-14T15:00:00Z")
    push(r, event("control_change", NAHDA, "islamic-state", "sdf"), "2017-10-14T15:00:00Z")
    drain(notifier)
    wait_until(lambda: notifier.flush_due() and True, timeout_seconds=5, what="the group to flush")
    assert kinds(r) == [("control_changed", NAHDA)]


def test_repeat_interval_resends_a_condition_still_holding(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier(repeat=0.3)
    push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-03-02T08:00:00Z")
    drain(notifier)
    assert r.zcard(keys.ALERT_GROUPS) == 1  # the repeat timer
    first, repeat = flushed_alerts(notifier, r, 2)
    assert repeat["type"] == first["type"] and repeat["data"]["repeat"] == 1
    assert repeat["id"] != first["id"] and repeat["data"]["summary"] == "Still holds: " + first["data"]["summary"]
    # After a change of holder the old state is never repeated; the new one is on its own timer.
    push(r, event("control_change", "palmyra", "islamic-state", "syrian-government"), "2017-03-05T08:00:00Z")
    drain(notifier)
    assert kinds(r)[2:] == [("control_changed", "palmyra"), ("superseded", "palmyra")]
    assert flushed_alerts(notifier, r, 5)[4]["data"]["summary"].startswith("Still holds: Control of Palmyra: Syrian")


ARCHIVE: list[tuple[Event, str, str]] = [
    (event("control_state", "raqqa", "islamic-state", event_id="a1"), "2015-01-10T08:00:00Z", "Wire desk"),
    (
        event("control_change", "palmyra", "islamic-state", "syrian-government", event_id="a2"),
        "2015-05-21T08:00:00Z",
        "A",
    ),
    (event("civilian_count", "palmyra", category="fled", count=800, event_id="a3"), "2015-05-21T08:00:00Z", "UN"),
    (event("civilian_count", "palmyra", category="fled", count=1500, event_id="a4"), "2015-05-22T08:00:00Z", "UN"),
    (event("control_change", "palmyra", "islamic-state", event_id="a5"), "2015-05-22T09:00:00Z", "B"),
    (event("control_change", "raqqa", "sdf", historical=True, event_id="a6"), "2015-06-01T08:00:00Z", "C"),
    (
        event("control_change", "palmyra", "syrian-government", "islamic-state", event_id="a7"),
        "2016-03-27T08:00:00Z",
        "A",
    ),
    (
        event("control_change", "palmyra", "islamic-state", "sdf", stance="hedged", event_id="a8"),
        "2016-03-28T08:00:00Z",
        "D",
    ),
    (event("civilian_count", "raqqa", category="trapped", count=20000, event_id="a9"), "2016-06-01T08:00:00Z", "UN"),
    (event("civilian_count", "raqqa", category="trapped", count=900, event_id="a10"), "2016-06-09T08:00:00Z", "UN"),
]
EXPECTED = [
    ("control_changed", "palmyra"),
    ("civilian_threshold", "palmyra"),
    ("control_changed", "palmyra"),
    ("superseded", "palmyra"),
    ("civilian_threshold", "raqqa"),
    ("resolved", "raqqa"),
]


def replay(r: redis.Redis) -> None:
    for item, published, source in ARCHIVE:
        push(r, item, published, source=source, report_id=f"r-{item.id}")


def test_replaying_an_archive_fast_alerts_as_the_live_stream_would(
    r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    live = make_notifier(group_wait=0)
    replay(r)
    drain(live)
    assert kinds(r) == EXPECTED
    expected = [(alert["type"], alert["id"], alert["data"]["summary"]) for alert in alerts(r)]
    r.flushall()
    # With a long group wait and every report posted at once, report time still closes each group.
    grouped = make_notifier(group_wait=600, name="n2")
    replay(r)
    drain(grouped)
    for place in ("palmyra", "raqqa"):
        grouped.flush(place)  # what the due timer does 10 minutes later
    assert [(alert["type"], alert["id"], alert["data"]["summary"]) for alert in alerts(r)] == expected
    # Replaying the same archive again changes nothing: every fingerprint was emitted already.
    replay(r)
    drain(grouped)
    assert len(alerts(r)) == len(expected)


@pytest.mark.parametrize("group_wait", [0, 600])
def test_one_at_a_time_fallback_gives_the_same_alerts_as_batches(
    r: redis.Redis, make_notifier: NotifierFactory, monkeypatch: pytest.MonkeyPatch, group_wait: float
) -> None:
    batched = make_notifier(group_wait=group_wait)
    replay(r)
    drain(batched)
    batched.flush_open()
    expected = [alert["id"] for alert in alerts(r)]
    r.flushall()

    whole_batch = Batch.run

    def broken_for_more_than_one(batch: Batch, connection: redis.Redis, emitter: AlertEmitter) -> None:
        if len(batch.acks) > 1:  # the fallback applies each entry as a batch of one, which still works
            raise RuntimeError("a bug in the batch path")
        whole_batch(batch, connection, emitter)

    monkeypatch.setattr(Batch, "run", broken_for_more_than_one)
    single = make_notifier(group_wait=group_wait, name="n2")
    replay(r)
    drain(single)
    single.flush_open()
    assert [alert["id"] for alert in alerts(r)] == expected and kinds(r) == EXPECTED
    assert r.xpending(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP)["pending"] == 0


def test_groups_due_together_flush_together_and_one_that_breaks_is_closed_alone(
    r: redis.Redis, make_notifier: NotifierFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = make_notifier(group_wait=0.2)
    push(r, event("control_change", NAHDA, "sdf", "islamic-state"), "2017-10-14T15:00:00Z")
    push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-10-14T15:00:00Z")
    push(r, event("control_change", "mosul", "syrian-government", "islamic-state"), "2017-10-14T15:00:00Z")
    drain(notifier)
    assert r.zcard(keys.ALERT_GROUPS) == 3
    evaluate = grouping.evaluate_place

    def breaks_at_palmyra(situation: Any, *args: Any) -> Any:
        if situation.place_id == "palmyra":
            raise RuntimeError("a bug in one place's rules")
        return evaluate(situation, *args)

    monkeypatch.setattr(grouping, "evaluate_place", breaks_at_palmyra)
    wait_until(lambda: notifier.flush_due() == 3, timeout_seconds=5, what="three groups due together")
    assert sorted(kinds(r)) == [("control_changed", "mosul"), ("control_changed", NAHDA)]
    assert r.zcard(keys.ALERT_GROUPS) == 0  # the broken group is closed too: it cannot fire for ever
    assert not r.exists(keys.alert_group("palmyra"))  # and its record is gone: a later event opens a new group
