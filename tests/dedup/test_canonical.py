"""Blocking keys: which extracted events are the same happening (pure functions, no Redis)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from schemas.events import Event
from schemas.reports import ReportIn
from workers.dedup.canonical import merge_item
from workers.extraction import extract_events


def events(text: str, published: str = "2017-10-15T09:00:00Z", report_id: str = "r1") -> list[Event]:
    when = datetime.fromisoformat(published.replace("Z", "+00:00"))
    return extract_events(text, when, report_id=report_id)


def cid(text: str, published: str = "2017-10-15T09:00:00Z", report_id: str = "r1", kind: str | None = None) -> str:
    report = ReportIn(id=report_id, source="s", text=text, published_at=datetime.fromisoformat(published))
    found = [e for e in events(text, published, report_id) if kind is None or e.kind.value == kind]
    assert found, f"no {kind or 'event'} in {text!r}"
    return merge_item(report_id, report, found[0]).canonical_id


def test_two_wordings_of_one_capture_from_two_reports_share_a_canonical_id() -> None:
    first = cid("The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday.")
    second = cid(
        "Tabqa fell to the Syrian Democratic Forces on Saturday, residents said.", "2017-10-14T20:00:00Z", "r2"
    )
    assert first == second


def test_another_new_controller_or_another_place_is_another_event() -> None:
    sdf = cid("The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday.")
    rebels = cid("Syrian rebels seized the town of Tabqa from the Islamic State group on Saturday.")
    other_place = cid(
        "The Syrian Democratic Forces captured the town of Manbij from the Islamic State group on Saturday."
    )
    assert len({sdf, rebels, other_place}) == 3


def test_a_historical_mention_by_year_joins_the_same_years_capture() -> None:
    year = cid("Islamic State militants seized Palmyra in 2015, destroying parts of its ruins.", "2017-10-14T09:00:00Z")
    day = cid("Islamic State militants seized Palmyra on Wednesday.", "2015-05-22T09:00:00Z", "r2")
    later = cid("Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday.")
    assert year == day
    assert later != year


def test_a_stock_is_one_quantity_over_days_and_a_flow_is_one_event_per_day() -> None:
    friday = cid("Some 4,000 civilians are trapped in Raqqa, the UN said.", "2017-10-13T09:00:00Z")
    monday = cid("About 8,000 civilians are trapped in Raqqa, aid workers said.", "2017-10-16T09:00:00Z", "r2")
    assert friday == monday
    killed_friday = cid("At least 21 civilians were killed in Manbij on Friday.", kind="civilian_count")
    killed_sunday = cid("At least 5 civilians were killed in Manbij on Sunday.", "2017-10-16T09:00:00Z", "r2")
    assert killed_friday != killed_sunday


def test_a_strike_on_a_district_and_on_its_city_the_same_day_is_one_happening() -> None:
    city = cid("An air strike hit Raqqa on Friday, activists said.", kind="air_strike")
    district = cid("An air strike hit the al-Nahda neighborhood of Raqqa on Friday.", report_id="r2", kind="air_strike")
    assert city == district


def test_the_canonical_id_is_the_same_in_every_process() -> None:
    # sha256 of the blocking key: no per-process salt (Python's hash() would differ between workers).
    key = b"control_change\x1ftabqa\x1fsdf\x1f2017"
    expected = "ev-" + hashlib.sha256(key).hexdigest()[:24]
    assert (
        cid("The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday.")
        == expected
    )


def test_merge_items_carry_the_report_facts_the_script_compares() -> None:
    report = ReportIn(
        id="r1",
        source="Field\x1fdesk",
        text="The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday.",
        published_at=datetime(2017, 10, 15, 9, tzinfo=UTC),
    )
    (event,) = events(report.text)
    item = merge_item("r1", report, event)
    assert item.rank.startswith("0")  # not historical
    assert item.observation == ""
    assert item.index_keys == ("sitrep:events:index",)  # readers filter the creation order instead
