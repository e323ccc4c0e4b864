"""Descriptions around a place's name, distance asides, and sides named through their operations. Every sentence
here was written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from .conftest import changes, counts


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Rebels seized the Congolese mining hub of Walikale.", "Walikale"),
        ("The militia took the oil hub of Heglig on Tuesday.", "Heglig"),
        ("Rebels seized General Bozize's home town of Bossangoa.", "Bossangoa"),
        ("Soldiers retook the fishing village of Kasenyi.", "Kasenyi"),
    ],
)
def test_a_description_before_of_gives_the_name_after_it(text: str, place: str) -> None:
    assert [p for p, _ in changes(text)] == [place], changes(text)


def test_a_person_before_of_is_no_description_of_a_place() -> None:
    assert all(p != "Kidal" for p, _ in changes("Rebels captured the governor of Kidal on Monday."))


def test_places_in_distance_asides_are_not_the_subject() -> None:
    got = changes("Bambari, 40 km to the north, and Alindao, 30 km east of Bangassou, had been captured by the rebels.")
    assert [p for p, _ in got] == ["Bambari", "Alindao"], got
    assert [p for p, _ in changes("Cunhinga, 30 km northwest of Kuito, had been captured by UNITA.")] == ["Cunhinga"]


@pytest.mark.parametrize(
    "text",
    [
        "The town of Kidal was reportedly captured at dawn by separatist fighters.",
        "Kidal was taken on Sunday by separatist fighters.",
    ],
)
def test_a_by_agent_after_a_time_phrase(text: str) -> None:
    assert [p for p, _ in changes(text)] == ["Kidal"], changes(text)


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("The French-Malian offensive recaptured Gao on Saturday.", "French forces"),
        ("A Ukrainian counteroffensive liberated Kupiansk in September.", "Ukrainian forces"),
    ],
)
def test_an_operation_as_subject_is_its_side(text: str, actor: str) -> None:
    got = changes(text)
    assert len(got) == 1 and got[0][1] == actor, got


def test_the_capital_of_a_nationality_as_subject() -> None:
    assert changes("The Afghan capital fell to the Taliban on 15 August.") == [("Kabul", "Taliban")]


def test_a_relative_clause_on_a_description_of_a_named_place() -> None:
    got = changes("French troops entered Gao, a town that the Islamist rebels had captured in 2012.")
    assert [p for p, _ in got] == ["Gao"], got


def test_a_relative_clause_right_after_a_place_refers_to_it() -> None:
    got = changes("Clashes went on close to Kirkuk, which Kurdish fighters retook in June.")
    assert [p for p, _ in got] == ["Kirkuk"], got


def test_a_quoted_figure_counts() -> None:
    found = counts('The ministry counted "at least 5,000" civilian deaths in the province.')
    assert [(e.category, e.count.min if e.count else None) for e in found] == [("killed", 5000)]
