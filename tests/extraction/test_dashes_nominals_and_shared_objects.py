"""A place set off from its verb by a dashed aside ('Sirte - the last stronghold of the regime - has fallen to'); a
capture noun after a nationality ('the Iranian recapture of X'); two coordinated verbs sharing one object ('regained
and then kept control of X', 'took and held Y'); names listed after 'like' ('key towns like A and B'). Every sentence
was written for these tests."""

from __future__ import annotations

from .conftest import changes

WAR = "Troops and artillery fought for weeks. "


def test_a_dashed_aside_between_a_place_and_its_fall() -> None:
    text = (
        WAR + "After days of heavy fighting, Sirte - the last stronghold of the regime - has fallen to rebel fighters."
    )
    assert [p for p, _ in changes(text)] == ["Sirte"]


def test_a_nationality_before_a_capture_noun_is_the_captor() -> None:
    text = "Kurdish troops held the hills. The Iranian recapture of Khorramshahr from the Iraqis came in May."
    assert changes(text) == [("Khorramshahr", "Iranian forces")]  # not the side the sentence before named
    assert changes("The Russian capture of Avdiivka followed months of shelling.") == [("Avdiivka", "Russian forces")]


def test_two_verbs_sharing_one_object() -> None:
    assert [p for p, _ in changes(WAR + "Chechen fighters regained and then kept control of Grozny.")] == ["Grozny"]
    assert changes(WAR + "The rebels took and held Kidal for a year.") == [("Kidal", "Rebels")]
    assert changes(WAR + "The rebels took and ate their lunch in Kidal.") == []


def test_names_listed_after_like() -> None:
    text = WAR + "Somali troops swept west, capturing key towns like Jijiga and Dire Dawa."
    assert [p for p, _ in changes(text)] == ["Jijiga", "Dire Dawa"]


def test_a_pronoun_subject_overrunning_a_town_in_a_war() -> None:
    text = WAR + "The rebels have ruled the country since they overran Sanaa in September."
    assert changes(text) == [("Sanaa", "Rebels")]
