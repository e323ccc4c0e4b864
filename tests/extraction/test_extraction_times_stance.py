from __future__ import annotations

from datetime import UTC, date, datetime

from schemas.events import EventKind

from .conftest import changes, controls, of_kind, run


def when(text: str, published: date | None) -> tuple[date | None, str, bool]:
    found = controls(text, published)
    assert len(found) == 1, text
    return found[0].time.date, found[0].time.precision, found[0].historical


def test_weekday_same_day_as_publication() -> None:
    assert when("The SDF took Tabqa on Saturday.", date(2017, 10, 14)) == (date(2017, 10, 14), "day", False)


def test_weekday_earlier_in_week() -> None:
    assert when("The SDF took Tabqa on Wednesday.", date(2017, 10, 14)) == (date(2017, 10, 11), "day", False)


def test_year_is_year_precision_and_historical() -> None:
    assert when("IS seized Raqqa in 2014.", date(2017, 10, 14)) == (date(2014, 1, 1), "year", True)


def test_month_day_and_month_without_year() -> None:
    assert when("Rebels seized Tal Rifaat on October 5.", date(2017, 10, 14)) == (date(2017, 10, 5), "day", False)
    assert when("The army retook Aleppo in December.", date(2017, 3, 2)) == (date(2016, 12, 1), "month", False)


def test_relative_words() -> None:
    assert when("The army retook Homs yesterday.", date(2017, 10, 14))[0] == date(2017, 10, 13)
    assert when("The army retook Homs last year.", date(2017, 10, 14)) == (date(2016, 1, 1), "year", True)


def test_no_publication_date_leaves_relative_times_open() -> None:
    assert when("The SDF took Tabqa on Saturday.", None) == (None, "day", False)


def test_datetime_publication_is_accepted() -> None:
    published = datetime(2017, 10, 14, 12, 0, tzinfo=UTC)
    assert when("The SDF took Tabqa on Saturday.", published)[0] == date(2017, 10, 14)  # type: ignore[arg-type]


def test_attribution_after_the_verb() -> None:
    found = controls("The SDF seized the stadium in Raqqa, said Mustafa Bali, the SDF spokesman.")
    a = found[0].attribution
    assert a is not None and (a.speaker, a.role, a.organisation) == (
        "Mustafa Bali",
        "spokesman",
        "Syrian Democratic Forces",
    )
    assert found[0].stance == "claimed"


def test_attribution_before_the_verb_and_monitor() -> None:
    found = controls("Al-Shabab captured the Balidogle airfield, the International Crisis Group said.")
    a = found[0].attribution
    assert a is not None and a.organisation == "International Crisis Group"
    assert found[0].stance == "asserted"


def test_hedged_and_denied_stance() -> None:
    hedged = of_kind(
        run("Some 300 civilians were reportedly killed in the air strikes on the market."), EventKind.civilian_count
    )
    assert hedged and hedged[0].stance == "hedged"
    denied = of_kind(
        run("The ministry denied that air strikes killed 40 civilians in the village."), EventKind.civilian_count
    )
    assert all(e.stance == "denied" for e in denied)


def test_evidence_offsets_point_into_the_original_text() -> None:
    text = "Beirut &amp; Damascus \\ Rebels seized Jisr al-Shughur on Monday, they said."
    found = controls(text)
    assert found
    e = found[0].evidence
    assert text[e.start : e.end] == e.text and "seized" in e.text and e.text in e.sentence


def test_may_the_month_does_not_block_a_change_but_the_modal_does() -> None:
    assert [p for p, _ in changes("In May 2024 the rebels seized Lashio.")] == ["Lashio"]
    assert [p for p, _ in changes("On 3 May the rebels seized Lashio.")] == ["Lashio"]
    assert changes("The rebels may seize Lashio.") == []
