"""Session 19 classes: a side's adjective before a rank and a name is that side's officer, acting for its forces
('British General William Howe occupied ...'), but 'the General Staff' is an office; 'joined forces' is an idiom,
not an armed group; 'its garrison' after a place is that place's. Each is tried with a same-shape sentence that
must give nothing new. Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, of_kind, run


def test_a_nationality_before_a_rank_and_a_name_is_that_states_forces() -> None:
    text = "Dutch Admiral Maarten Tromp seized Dunkirk in 1639 after a sea battle. The Spanish fleet withdrew south."
    assert changes(text) == [("Dunkirk", "Dutch forces")]


def test_a_side_adjective_the_lexicon_knows_before_a_rank_is_that_side() -> None:
    text = (
        "Confederate Major General Jubal Early captured Frederick in July 1864 after a battle. "
        "Union troops fell back toward Baltimore."
    )
    assert ("Frederick", "Confederate forces") in changes(text)


def test_a_rank_followed_by_an_office_is_no_officer() -> None:
    text = (
        "The Russian General Staff said its troops had captured the village of Robotyne after weeks of fighting "
        "and shelling."
    )
    assert changes(text) == [("Robotyne", "Russian forces")]


def test_an_unknown_adjective_before_a_rank_names_no_side() -> None:
    text = "Famous General Motors captured Detroit's market share in 1950 after a price battle with rival troops."
    assert changes(text) == []


def test_joined_forces_is_an_idiom_not_an_armed_group() -> None:
    text = "The Greens joined forces with tenants' unions and captured Bristol in the council vote."
    assert changes(text) == []


def test_joined_forces_leaves_the_armed_subject_named_before_it() -> None:
    text = "Rebel groups joined forces and seized the town of Saraqib from government troops after days of fighting."
    assert changes(text) == [("Saraqib", "Rebels")]


def test_its_garrison_after_a_place_is_the_places_not_the_takers() -> None:
    events = run(
        "Prussian General August von Goeben took Amiens in November 1870 after a battle; its garrison of 3,000 "
        "soldiers surrendered."
    )
    assert [(e.place.name, e.actor.name) for e in of_kind(events, EventKind.control_change) if e.place and e.actor] == [
        ("Amiens", "Prussian army")
    ]
    surrenders = of_kind(events, EventKind.surrender)
    assert surrenders and all(e.actor is None or e.actor.id != "prussian-army" for e in surrenders)


def test_its_garrison_with_no_place_between_is_the_speakers() -> None:
    events = run("The army said its garrison of 400 soldiers surrendered to the rebels after a siege of the fort.")
    assert [e.actor.name for e in of_kind(events, EventKind.surrender) if e.actor] == ["The army"]


# --- the side that besieged a place that fell -------------------------------------------------------------------


def test_a_fall_after_a_siege_by_a_side_is_that_sides() -> None:
    text = "After a three-month siege by Serbian troops, Vukovar fell in November after heavy shelling."
    assert changes(text) == [("Vukovar", "Serbian forces")]


def test_a_place_that_fell_in_a_relative_clause_falls_to_its_besieger() -> None:
    text = "Ethiopian troops besieged Mekelle in the spring, which fell in late June after heavy fighting."
    assert changes(text) == []  # the relative follows 'spring', not the place
    text = "Ethiopian troops besieged Mekelle, which fell in late June after heavy fighting."
    assert changes(text) == [("Mekelle", "Ethiopian National Defense Force (ENDF)")]


def test_a_place_that_fell_silent_in_a_relative_clause_changed_no_hands() -> None:
    text = "Ethiopian troops shelled Mekelle, which fell silent in late June after heavy fighting."
    assert changes(text) == []


def test_soldiers_of_an_older_era_named_by_their_arm_are_a_side_with_their_people() -> None:
    text = "Roman legions besieged Carthage for three years, and Carthage fell in 146 BC after a battle in its streets."
    assert changes(text) == [("Carthage", "Roman legions")]


# --- review guards: what the rules must leave alone ---------------------------------------------------------------


def test_a_body_named_after_a_rank_is_no_officer() -> None:
    for text in (
        "The Egyptian General Petroleum Corporation took over the gas field near Port Said after a dispute and a "
        "battle over troops' pay.",
        "Nigerian General Hospital staff said gunmen captured the town of Baga after fighting with soldiers.",
    ):
        assert all(actor != "Egyptian forces" and actor != "Nigerian forces" for _, actor in changes(text))


def test_a_faction_leaders_own_men_are_his_not_the_states() -> None:
    text = "Libyan General Khalifa Haftar's forces seized Sirte in January after brief clashes and shelling by troops."
    assert changes(text) == [("Sirte", "Libyan National Army (Haftar)")]


def test_combined_forces_of_named_groups_are_still_armed_men() -> None:
    text = "The combined forces of the two clans captured the town of Beledweyne after heavy fighting."
    assert [place for place, _ in changes(text)] == ["Beledweyne"]


def test_an_assault_by_night_leaves_its_subject_the_taker() -> None:
    text = "Rebel fighters launched an assault by night on the town, and Kidal fell on Tuesday after fighting."
    assert changes(text) == [("Kidal", "Rebels")]


def test_that_after_a_noun_of_the_saying_clause_is_still_a_relative() -> None:
    text = "Residents said the Gao airport that the rebels seized in April was quiet after the fighting."
    assert changes(text) == [("Gao airport", "Rebels")]


def test_its_garrison_after_a_place_named_in_speech_is_the_speakers() -> None:
    events = run("The army said in a statement from Bamako that its garrison had surrendered to the rebels.")
    assert [e.actor.name for e in of_kind(events, EventKind.surrender) if e.actor] != ["its garrison"]


def test_sport_and_crowds_with_older_armed_nouns_take_nothing() -> None:
    for text in (
        "Legions of fans occupied the main square in Buenos Aires after the final.",
        "The Golden State Warriors captured Boston with a late run and won the series.",
    ):
        assert changes(text) == []


def test_took_a_country_into_war_is_no_capture() -> None:
    assert changes("Hamas took Gaza into a devastating war in 2023 after the raid by its fighters.") == []
