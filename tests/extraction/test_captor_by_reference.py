"""A captor given only by a pronoun or a possessive ('they took X', 'his forces captured Y'): the side named before,
when one side alone is named there; otherwise the answer stays what it was. Every sentence here was written for these
tests (the events may be real)."""

from __future__ import annotations

import pytest

from .conftest import actor_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rebel leader Charles Taylor said on Sunday his fighters had captured Buchanan.", "Charles Taylor's forces"),
        ("The rebel leader Laurent Nkunda said his fighters had taken Rutshuru.", "CNDP"),
        ("Houthi leader Abdul-Malik al-Houthi said his fighters had seized Marib.", "Houthis (Ansar Allah)"),
        (
            "Sudan's army chief General Abdel Fattah al-Burhan said his forces had retaken Wad Madani.",
            "Sudanese Armed Forces (SAF)",
        ),
        (
            "General Kleist turned south towards the Caucasus. Two divisions of his army took Maikop on 9 August.",
            "Kleist's forces",
        ),
        (
            "General Kleist ordered his troops to cross the Don, and his troops took Rostov on 23 July.",
            "Kleist's forces",
        ),
        ("Russian President Vladimir Putin said his forces had taken Soledar.", "Russian forces"),
        # a nationality before 'rebel leader' is not the rebel's side
        ("The Angolan rebel leader Jonas Savimbi said his guerrillas had taken Cuito.", "Jonas Savimbi's forces"),
        ("Mr Taylor said on Sunday his fighters had captured Buchanan.", "Taylor's forces"),
    ],
)
def test_his_forces_are_the_side_of_the_one_man_named_before(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[1] == expected, (text, got)


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("Taylor told Johnson that his fighters had taken Buchanan.", "fighters"),  # two men named: whose?
        ("General Kleist and General Paulus met at Kharkov. His army took Maikop.", "His army"),
        ("The governor of Texas said his forces had taken control of the border crossing at Eagle Pass.", "forces"),
        ("President Mobutu said his forces had retaken Kindu.", "forces"),  # whose state the sentence does not say
    ],
)
def test_his_forces_with_no_single_owner_keep_today_s_answer(text: str, today: str) -> None:
    got = actor_of(text)
    assert got is not None and got[1] == today, (text, got)


def test_its_forces_are_the_side_the_sentence_before_named() -> None:
    got = actor_of("The Haganah launched an offensive in April. Its forces took Tiberias within days.")
    assert got is not None and got[0] == "haganah", got
    got = actor_of("The rebels attacked from the north. Their forces took Kidal on Sunday.")
    assert got is not None and got[0] == "rebels", got


def test_their_forces_after_two_sides_keep_today_s_answer() -> None:
    got = actor_of("The rebels and the army fought for days. Their forces took Kidal on Sunday.")
    assert got is not None and got[1] == "forces", got


def test_their_fighters_with_an_owner_in_the_sentence_are_not_the_previous_sentence_s_side() -> None:
    got = actor_of("Government troops held the north. The rebels said their guerrillas had taken Kidal.")
    assert got is not None and got[0] == "rebels", got


def test_a_chain_of_they_goes_back_to_the_one_side_named() -> None:
    text = (
        "Turkish paratroopers landed near Kyrenia on 20 July 1974. They pushed inland for two days. "
        "They seized the Kyrenia pass on 22 July."
    )
    got = actor_of(text)
    assert got is not None and got[0] == "turkey", got


@pytest.mark.parametrize(
    "text",
    [
        # two sides named where the chain ends
        "Turkish troops and Greek Cypriot militias fought near Kyrenia for a week. They shelled the port. "
        "They took control of the old castle at Kyrenia.",
        # the chain is broken by a sentence that is not about a side
        "Turkish paratroopers landed near Kyrenia on 20 July. The weather was hot. They seized the Kyrenia pass.",
    ],
)
def test_a_chain_of_they_with_no_single_side_gives_nothing(text: str) -> None:
    assert actor_of(text) is None, text


def test_it_after_a_named_militia_is_that_militia() -> None:
    got = actor_of("The Haganah launched Operation Nachshon in April. It captured Qastel within days.")
    assert got is not None and got[0] == "haganah", got
