"""A place set off from its verb by a dashed aside ('Kidal - the last army outpost in the north - fell to'), not a
place inside the subject ('Fighters from X - ... - were captured'); a capture noun after a nationality ('the
Iraqi recapture of X'), not a feared one; the main clause's subject after an opening capture noun, not a side that
retreats or vows to retake; two coordinated verbs sharing one object ('regained and then held X', 'took and held
Y'); names listed right after 'like'. Every sentence was written for these tests."""

from __future__ import annotations

from .conftest import changes

WAR = "Troops and artillery fought for weeks. "


def test_a_dashed_aside_between_a_place_and_its_fall() -> None:
    text = WAR + "Kidal - the last army outpost in the north - fell to the rebels on Sunday."
    assert changes(text) == [("Kidal", "Rebels")]


def test_a_place_inside_the_subject_before_a_dashed_aside_is_not_captured() -> None:
    text = WAR + "Fighters from Sirte - the last stronghold of the regime - were captured by rebels."
    assert changes(text) == []


def test_a_nationality_before_a_capture_noun_is_the_captor() -> None:
    text = "Kurdish troops held the hills. The Iraqi recapture of Tikrit from the jihadists came in March."
    assert changes(text) == [("Tikrit", "Iraqi government forces")]  # not the side the sentence before named
    assert changes("The Russian capture of Avdiivka followed months of shelling.") == [("Avdiivka", "Russian forces")]


def test_a_feared_capture_is_none() -> None:
    assert changes(WAR + "Fears of a Russian capture of Kharkiv grew.") == []


def test_the_main_subject_after_an_opening_capture_noun_made_the_capture() -> None:
    assert changes("After the recapture of Kassala, the rebel troops moved south toward Gedaref.") == [
        ("Kassala", "Rebels")
    ]
    assert changes("After the seizure of Goma in January, M23 fighters moved on Bukavu.") == [("Goma", "M23")]


def test_a_side_that_retreats_or_means_to_retake_after_an_opening_capture_noun_is_not_the_captor() -> None:
    assert changes(WAR + "After the capture of Kassala, the army retreated south toward Gedaref.") == []
    assert changes(WAR + "After the capture of Kassala, government troops vowed to retake the town.") == []
    assert changes(WAR + "Before the capture of Kassala, the army had held the town for a decade.") == []
    assert changes(WAR + "After the capture of Kassala, the army said the rebels had lost many men.") == []


def test_two_verbs_sharing_one_object() -> None:
    assert changes(WAR + "Rebel fighters regained and then held Kidal for a year.") == [("Kidal", "Rebels")]
    assert changes(WAR + "The rebels took and held Kidal for a year.") == [("Kidal", "Rebels")]
    assert changes(WAR + "The rebels took and ate their lunch in Kidal.") == []


def test_names_listed_right_after_like() -> None:
    text = WAR + "The rebels pushed east, seizing border towns like Kassala and Gedaref."
    assert [p for p, _ in changes(text)] == ["Kassala", "Gedaref"]
    text = WAR + "Russian troops captured three villages, much like Wagner did at Bakhmut last year."
    assert [p for p, _ in changes(text)] == ["three villages"]


def test_a_pronoun_subject_overrunning_a_town_in_a_war() -> None:
    text = WAR + "The rebels have ruled the country since they overran Sanaa in September."
    assert changes(text) == [("Sanaa", "Rebels")]


def test_an_opening_capture_noun_with_no_side_after_it_takes_the_last_side() -> None:
    text = "The rebels stormed Kassala on Friday. After the capture of the town, aid deliveries stopped."
    assert changes(text) == [("Kassala", "Rebels")]
    text = WAR + "After the capture of Kassala, the rebels vowed to hold the town at all costs."
    assert changes(text) == [("Kassala", "Rebels")]


def test_names_listed_after_like_a_little_after_their_noun() -> None:
    text = WAR + "The rebels seized towns in the east like Kassala and Gedaref."
    assert [p for p, _ in changes(text)] == ["Kassala", "Gedaref"]
