"""Sides named by a titled commander ('General X took Y') or by a people with an article ('the Bulgars took Y').
Every sentence here was written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from schemas.events import EventKind
from workers.extraction.document import Document
from workers.extraction.lexicons import load

from .conftest import actor_of, of_kind, run


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("General Sherman took Atlanta on 2 September 1864.", "Sherman's forces"),
        ("Lieutenant General Omar Bradley's troops took Saint-Lo in July 1944.", "Omar Bradley's forces"),
        ("Field Marshal Montgomery's troops entered Antwerp after German troops withdrew.", "Montgomery's forces"),
        ("Gen. Chuikov's divisions captured Seelow in April 1945.", "Chuikov's forces"),
        ("Marshal Pilsudski retook Kiev in May 1920.", "Pilsudski's forces"),
        ("General Ridgway's Eighth Army retook Seoul in March 1951.", "Ridgway's forces"),  # the name ends at 's
    ],
)
def test_a_titled_commander_is_his_own_side_named_by_him(text: str, name: str) -> None:
    got = actor_of(text)
    assert got is not None and got[1] == name, (text, got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bulgarian General Savov took Kirk Kilisse after the Ottoman troops withdrew.", "bulgarian-forces"),
        ("Confederate General Jackson captured Harpers Ferry in September 1862.", "confederate-army"),
        ("Russian troops under General Gerasimov captured Avdiivka.", "russia"),
        ("Colonel Gaddafi's forces recaptured Brega on Sunday.", "gaddafi-forces"),
        ("Rebel fighters loyal to General Nkunda captured Rutshuru.", "cndp"),
    ],
)
def test_a_commander_bound_to_a_named_side_acts_for_it(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


def test_the_general_is_the_one_general_named_before_and_his_side_is_the_one_the_report_gives() -> None:
    text = (
        "American officers reported that the Japanese general Tomoyuki Yamashita had come down from the mountains. "
        "On 2 September the General surrendered with 50,000 men at Kiangan."
    )
    (event,) = of_kind(run(text), EventKind.surrender)
    assert event.actor is not None and event.actor.id == "japanese-forces"
    assert event.count is not None and event.count.min == 50000


def test_the_general_after_a_possessive_is_the_man_not_his_unit() -> None:
    text = "General Ridgway's Eighth Army crossed the river. Two days later the General took Seoul."
    got = actor_of(text)
    assert got is not None and got[1] == "Ridgway's forces", got


def test_a_general_is_of_the_side_the_report_gives_him_anywhere() -> None:
    text = (
        "When General Yamashita reached Kiangan he found the road cut. Reporters described the Japanese general "
        "Tomoyuki Yamashita as exhausted. On 2 September General Yamashita surrendered with 50,000 men."
    )
    (event,) = of_kind(run(text), EventKind.surrender)
    assert event.actor is not None and event.actor.id == "japanese-forces"


def test_a_commander_surrenders_for_his_own_force() -> None:
    (event,) = of_kind(run("General Cornwallis surrendered with 7,000 men at Yorktown."), EventKind.surrender)
    assert event.actor is not None and event.actor.name == "Cornwallis's forces"


def test_the_general_after_two_generals_is_nobody() -> None:
    text = "General Lee and General Longstreet met near Appomattox. The General surrendered on 9 April."
    assert of_kind(run(text), EventKind.surrender) == []


@pytest.mark.parametrize(
    "text",
    [
        "The Attorney General took control of the case in Ohio.",
        "General Motors took control of Opel in 1931.",
        "The General Assembly took note of the fighting near Kidal.",
        "General Petraeus said on Monday that the front near Ramadi was calm.",
        "The general population fled Kharkiv as the army shelled the outskirts.",
        "General Electric, General Mills and General Dynamics took control of new plants in Ohio.",
    ],
)
def test_offices_firms_and_quoted_generals_take_nothing(text: str) -> None:
    assert actor_of(text) is None, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("General Petraeus said insurgents had captured Ramadi.", "rebels"),  # the general only speaks
        ("The Secretary General said Tuareg rebels had seized the town of Kidal.", "csp-psd"),
        ("General Santos was shelled by rebels who later captured the town.", "rebels"),  # a city, not a general
        ("In general Russian troops have taken Kupiansk in recent weeks.", "russia"),  # no title: 'in general'
    ],
)
def test_a_general_who_only_speaks_or_names_a_city_leaves_the_captor_unchanged(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


def test_a_spokesman_with_a_rank_is_not_the_side_whose_capture_he_denies() -> None:
    text = "Colonel Getachew, a spokesman for the army, denied that the militiamen had taken the airport at Gondar."
    (event,) = of_kind(run(text), EventKind.control_denial)
    assert event.actor is not None and event.actor.id == "militiamen"


@pytest.mark.parametrize(
    ("text", "places"),
    [
        (
            "After weeks of artillery fire and a siege, the Bulgars took Lule Burgas and occupied Bunarhissar.",
            {"Lule Burgas", "Bunarhissar"},
        ),
        (
            "After the artillery duel and the siege, the fortress of Adrianople was captured by the Bulgars.",
            {"Adrianople"},
        ),
        ("After heavy shelling Vukovar fell to the Serbs, whose troops entered it at dawn.", {"Vukovar"}),
    ],
)
def test_a_people_named_with_an_article_is_the_side_in_a_report_of_fighting(text: str, places: set[str]) -> None:
    found = of_kind(run(text), EventKind.control_change)
    assert {e.place.name for e in found if e.place is not None} == places, text
    assert all(e.actor is not None and e.actor.name in ("Bulgars", "Serbs") for e in found)


@pytest.mark.parametrize(
    "text",
    [
        "The Danes took Copenhagen by storm at the song contest, and the trophy fell to the Danes.",
        "The Seahawks took Dallas by surprise, and Denver fell to the Seahawks.",
    ],
)
def test_a_people_or_a_team_outside_a_war_is_no_side(text: str) -> None:
    assert actor_of(text) is None, text


def test_shouted_words_after_a_title_are_no_name() -> None:
    doc = Document(load(), "GENERAL ODUYA CAPTURED THE TOWN AT DAWN.", None, None)
    assert not any(a.person for a in doc.view(0).actors)
    doc = Document(load(), "General Oduya captured the town at dawn.", None, None)
    assert [a.actor.name for a in doc.view(0).actors if a.person] == ["Oduya's forces"]
