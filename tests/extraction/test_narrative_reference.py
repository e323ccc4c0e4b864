"""How a narrative refers to its sides and places across clauses and sentences: an agentless capture belongs to the
side that has been taking places, 'took back control' takes the place named before, a numbered unit is a side, a
speaker's time adjunct, a person's forces, a list item that is really a side, and a side that only takes up
positions. Each is tried with same-shape sentences that must give nothing. Every sentence here was written for
these tests."""

from __future__ import annotations

from .conftest import changes, controls

# --- the side that has been taking places -----------------------------------------------------------------------


def test_an_agentless_capture_after_one_sides_captures_is_that_sides() -> None:
    pairs = changes("Prussian troops captured Weissenburg on 4 August. Woerth was taken two days later.")
    assert ("Woerth", "Prussian army") in pairs


def test_an_agentless_retaking_or_a_hostage_taking_is_not_given_to_the_last_taker() -> None:
    text = "Prussian troops captured Weissenburg on 4 August. Woerth was reoccupied on Sunday."
    assert all(not (p == "Woerth" and a == "Prussian army") for p, a in changes(text))
    text = "Prussian troops captured Weissenburg on 4 August. Two French officers were taken prisoner."
    assert [p for p, _ in changes(text)] == ["Weissenburg"]


def test_an_agentless_capture_when_two_sides_have_been_taking_places_has_no_taker() -> None:
    text = (
        "Prussian troops captured Weissenburg on 4 August. French troops took Saarbruecken that week. "
        "Woerth was taken two days later."
    )
    assert all(p != "Woerth" for p, _ in changes(text))


# --- 'took back control' with no object ------------------------------------------------------------------------


def test_control_taken_with_no_object_is_control_of_the_place_named_before() -> None:
    assert changes("In October Red regiments attacked Simbirsk and took back control.") == [
        ("Simbirsk", "Red regiments")
    ]


def test_control_taken_where_no_place_was_assailed_gives_nothing() -> None:
    assert controls("Police raided a warehouse in Leeds and took control.") == []
    assert controls("Russian troops fired missiles from Belgorod and took control.") == []
    assert controls("The rebels retreated from Goma, regrouped in Sake and took back control.") == []


# --- numbered units and names ----------------------------------------------------------------------------------


def test_a_numbered_unit_opening_the_clause_is_the_side_of_a_participle_capture() -> None:
    pairs = changes("In May the 4th Brigade pushed east, taking Kalewa and Mawlaik.")
    assert {p for p, _ in pairs} == {"Kalewa", "Mawlaik"} and all(a == "4th Brigade" for _, a in pairs)


def test_a_month_before_a_unit_is_no_part_of_its_name() -> None:
    pairs = changes("In October three Red regiments attacked Simbirsk and took back control.")
    assert pairs and all("October" not in a for _, a in pairs)


def test_forces_of_a_titled_person_are_the_forces_the_lexicon_knows_for_that_person() -> None:
    assert changes("Forces of Libyan commander Khalifa Haftar seized Ajdabiya in the spring.") == [
        ("Ajdabiya", "Libyan National Army (Haftar)")
    ]


def test_a_speaker_with_a_day_between_it_and_its_verb_still_speaks_of_itself() -> None:
    pairs = changes("The 7th Brigade on Tuesday said it had captured the port of Kismayo.")
    assert pairs == [("Kismayo", "7th Brigade")]


# --- lists, acronyms, asides -----------------------------------------------------------------------------------


def test_a_name_followed_by_an_armed_noun_after_a_listed_place_is_a_side_not_a_place() -> None:
    pairs = changes("Three days after Nigerian troops captured Umuahia, Biafran troops withdrew south.")
    assert [p for p, _ in pairs] == ["Umuahia"]


def test_an_acronym_defined_in_parentheses_is_no_place() -> None:
    text = "Misrata had been held since 2016 by militias allied to the UN-backed Presidential Council (PC)."
    places = [p for p, _ in changes(text)]
    assert "GNA" not in places and "Guna" not in places


def test_a_hold_since_a_date_after_a_long_holder_is_a_change_at_that_date() -> None:
    text = "Misrata had been held by militias allied to the UN-backed Presidential Council (PC) since 2016."
    found = controls(text)
    assert [e.place.name for e in found if e.place] == ["Misrata"]


def test_a_distance_aside_with_a_conversion_in_parentheses_is_skipped() -> None:
    text = "Ajdabiya, some 160 kilometres (100 miles) south of the city of Benghazi, fell to Haftar's forces in March."
    assert [p for p, _ in changes(text)] == ["Ajdabiya"]


# --- positions ---------------------------------------------------------------------------------------------------


def test_a_side_taking_up_positions_or_cover_takes_no_place() -> None:
    assert controls("Rebel fighters have taken defensive positions around Benghazi.") == []
    assert controls("Government troops took up positions outside Ajdabiya.") == []
    assert controls("Civilians took shelter in Ajdabiya.") == []


# --- a people as a side in an older war's narrative ----------------------------------------------------------------


def test_a_people_is_a_side_in_a_narrative_of_battles_and_generals() -> None:
    text = "After the battle at Jena the Prussian generals fled north. The French pursued them and took Berlin."
    assert ("Berlin", "French forces") in changes(text)


def test_a_people_or_a_name_is_no_side_outside_a_report_of_war() -> None:
    assert controls("The French arrived early and took Berlin by storm with their new album.") == []
    text = "After a long battle in the first set, Nadal surrendered the second. Federer took Wimbledon again."
    assert controls(text) == []


# --- commanders as takers ------------------------------------------------------------------------------------------


def test_a_commander_named_as_subject_agent_or_possessor_takes_the_place_in_a_report_of_war() -> None:
    pairs = changes(
        "Rebel troops besieged Torreon for a week; General Villa commanded them. After the garrison surrendered, "
        "Villa and Urbina seized control of that town."
    )
    assert ("Torreon", "Villa and Urbina") in pairs
    assert ("Saltillo", "Obregon") in changes(
        "Obregon's troops besieged Saltillo for weeks. The fall of Saltillo to Obregon ended it."
    )
    assert ("Iguala", "Figueroa") in changes(
        "Rebel troops under Figueroa besieged Iguala. Figueroa's capture of Iguala was swift."
    )


def test_a_name_as_subject_outside_a_report_of_war_or_a_common_word_is_no_commander() -> None:
    assert controls("Villa took Torreon by surprise at the film festival.") == []
    assert all(a != "Government" for _, a in changes("Rebel troops besieged Torreon. Government seized that town too."))


def test_a_surrender_followed_by_another_side_taking_control_is_still_a_surrender() -> None:
    from schemas.events import EventKind

    from .conftest import run

    found = run("After two days of shelling the town's garrison surrendered and the rebels took control of Ojinaga.")
    assert [e.kind for e in found if e.kind == EventKind.surrender] == [EventKind.surrender]


# --- what 'the town' and 'his' refer to ------------------------------------------------------------------------


def test_a_region_that_only_locates_the_town_before_it_is_not_what_the_town_refers_to() -> None:
    text = "Rebel troops besieged Ojinaga, Chihuahua, for a week. On Friday the rebels seized that town."
    assert [p for p, _ in changes(text)] == ["Ojinaga"]


def test_his_fighters_after_a_spokesman_for_a_side_are_that_sides() -> None:
    text = "A spokesman for the Libyan National Army said Ajdabiya had fallen to his troops."
    assert changes(text) == [("Ajdabiya", "Libyan National Army (Haftar)")]


def test_his_fighters_with_no_speaking_role_or_a_nearer_speaker_are_no_named_side() -> None:
    text = "The Libyan National Army shelled the road. A farmer said Ajdabiya had fallen to his troops."
    assert all(a != "Libyan National Army (Haftar)" for _, a in changes(text))
    text = "A spokesman for the Libyan National Army met the Egyptian envoy, who said his fighters had taken Ajdabiya."
    assert all(a != "Libyan National Army (Haftar)" for _, a in changes(text))


def test_a_place_after_the_capital_in_a_distance_is_not_the_place_that_fell_later() -> None:
    text = (
        "Ajdabiya, some 150 kilometres (95 miles) south of the city of Benghazi, was quiet. A spokesman for the Libyan "
        "National Army said the town had fallen to his troops."
    )
    assert [p for p, _ in changes(text)] == ["Ajdabiya"]


# --- more ways a place changes hands ------------------------------------------------------------------------------


def test_a_place_transferred_or_passed_to_a_sides_hands_goes_to_that_side() -> None:
    assert changes("The truce ended the siege, transferring Bor to rebel hands.") == [("Bor", "Rebels")]
    assert [p for p, _ in changes("The siege ended, passing the town of Bor to rebel hands.")] == ["Bor"]


def test_hands_after_to_without_a_verb_of_transfer_are_no_change() -> None:
    assert controls("The keys of Bor were shown to rebel hands on camera.") == []


def test_control_given_to_a_people_in_a_report_of_war_goes_to_its_state() -> None:
    text = "After weeks of shelling and air strikes, the withdrawal gave the Russians control over most of Grozny."
    assert [p for p, _ in changes(text)] == ["Grozny"]


def test_a_capture_in_a_relative_clause_on_an_offensive_belongs_to_who_launched_it() -> None:
    text = "In March the Nationalist Army launched an offensive that quickly conquered Republican-held Aragon."
    assert changes(text) == [("Aragon", "Nationalist Army")]


def test_an_offensive_that_nobody_is_told_to_have_launched_gives_no_taker() -> None:
    assert controls("It was an offensive that quickly conquered Aragon.") == []


def test_a_victors_entry_into_a_town_is_a_takeover_unless_told_as_a_raid_or_a_ceremony() -> None:
    assert [p for p, _ in changes("Serb paramilitaries swept into the town of Visegrad on Monday.")] == ["Visegrad"]
    assert [p for p, _ in changes("Rebel columns swept into Kidal on Sunday.")] == ["Kidal"]
    assert controls("Rebel columns swept into Kidal on Sunday before pulling back at dusk.") == []
    assert controls("Army columns rolled into Kidal for the independence parade.") == []
    assert controls("Thousands of protesters marched into Kidal on Sunday.") == []


# --- towns the gazetteer lacks ------------------------------------------------------------------------------------


def test_a_town_the_gazetteer_lacks_as_the_subject_of_a_passive_capture() -> None:
    assert [p for p, _ in changes("Zabrdje was captured by Croat troops on Monday.")] == ["Zabrdje"]
    assert [p for p, _ in changes("Zabrdje was taken by the Serbs in May.")] == ["Zabrdje"]


def test_a_person_or_a_common_name_captured_is_no_town() -> None:
    assert controls("Ahmed was captured by the rebels near the border.") == []
    assert controls("Maria was taken by the militia in May.") == []


def test_an_entry_after_a_people_fled_takes_the_town() -> None:
    assert [p for p, _ in changes("Serbian troops entered Zabrdje after the Croats fled.")] == ["Zabrdje"]


def test_a_town_the_gazetteer_lacks_before_a_relative_aside_and_a_dated_fall() -> None:
    text = "Zabrdje, which the Croats had held since 1992, fell on 12 May to Serbian troops."
    assert [p for p, _ in changes(text)] == ["Zabrdje"]


def test_each_unknown_town_of_a_list_before_a_state_of_hands_changes() -> None:
    text = "By the end of May, Zabrdje and Kotorac were in Serbian hands."
    assert sorted(p for p, _ in changes(text)) == ["Kotorac", "Zabrdje"]
