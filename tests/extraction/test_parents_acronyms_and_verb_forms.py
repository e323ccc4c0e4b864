"""Session 20 classes: a region or country after a place and a comma holds it ('the town of Kassala, Sudan'), a
list may close with ', and' (the serial comma), an acronym the lexicon lacks may name the side that takes a place,
the base forms of capture verbs read after 'able to' and 'managed to', a passive 'was forced to surrender' is a
surrender, captives held are 'other', and lakh and crore are scales. Each is tried with a same-shape sentence
that must give nothing new. Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, counts, of_kind, run


def test_a_country_after_a_described_place_is_its_parent_not_the_place() -> None:
    text = "Rebel forces captured the town of Kassala, Sudan, after a siege of three weeks and heavy shelling."
    assert changes(text) == [("Kassala", "Rebels")]


def test_a_region_after_a_place_and_a_comma_is_no_second_capture() -> None:
    text = "Union forces captured the port of Charleston, South Carolina, in February 1865 after a long siege."
    assert changes(text) == [("Charleston", "Union forces")]


def test_a_name_after_a_region_and_a_comma_is_still_the_apposed_place() -> None:
    text = "The rebels seized the main port of Asturias, Gijon, after a siege by land and sea in 1937."
    assert changes(text) == [("Gijon", "Rebels")]


def test_a_serial_comma_before_the_last_place_keeps_it_in_the_list() -> None:
    text = "Rebel fighters seized Goma, Bukavu, and Uvira in a month of fighting against the army."
    assert sorted(p for p, _ in changes(text)) == ["Bukavu", "Goma", "Uvira"]


def test_a_place_with_its_state_then_a_serial_comma_keeps_the_next_place() -> None:
    text = "Union forces captured Charleston, South Carolina, and Savannah, Georgia, during the war's last winter."
    assert sorted(p for p, _ in changes(text)) == ["Charleston", "Savannah"]


def test_a_serial_comma_before_a_new_clause_adds_no_place() -> None:
    text = "Rebel fighters seized Goma after a battle with the army, and Kigali denied any role in the attack."
    assert [p for p, _ in changes(text)] == ["Goma"]


def test_an_unknown_acronym_opening_the_clause_takes_the_place() -> None:
    text = "In the war of 1949 the KNDO captured Insein after a battle with government troops."
    assert changes(text) == [("Insein", "KNDO")]


def test_an_unknown_acronym_after_fell_to_is_the_taker() -> None:
    text = "After a siege of two weeks by rebel troops, Meiktila fell to the KNDO."
    assert changes(text) == [("Meiktila", "KNDO")]


def test_an_agency_acronym_or_a_headline_in_capitals_takes_nothing() -> None:
    assert changes("During the war CNN captured images of Mandalay after a battle between troops.") == []
    assert changes("During the war the UNHCR took over the camp in Goma after fighting between troops.") == []


def test_the_base_form_after_able_to_is_a_completed_capture() -> None:
    text = "After a siege rebel fighters were able to occupy Mandalay and hold it for weeks against government troops."
    assert changes(text) == [("Mandalay", "Rebels")]


def test_the_base_form_after_a_verb_of_intent_is_no_capture() -> None:
    assert changes("The army vowed to liberate Mandalay from the rebels after a week of battle.") == []
    assert changes("Rebel troops plan to occupy Mandalay next week after the battle for Meiktila.") == []
    assert changes("The army failed to regain Mandalay from the rebels after a battle in March.") == []


def test_a_passive_forced_to_surrender_is_a_surrender_by_its_subject() -> None:
    events = run(
        "The siege of the fort lasted six weeks and the Ethiopian army stormed its walls twice. "
        "The Italian garrison was forced to surrender on 21 January."
    )
    assert [e.actor.name for e in of_kind(events, EventKind.surrender) if e.actor] == ["Italian forces"]


def test_a_possible_or_negated_forced_surrender_is_none() -> None:
    for sentence in (
        "The garrison would be forced to surrender if no relief came.",
        "The garrison had not been forced to surrender.",
        "The garrison was forced to surrender the fortress.",
    ):
        events = run(f"The siege lasted weeks and enemy troops stormed the fort twice. {sentence}")
        assert of_kind(events, EventKind.surrender) == [], sentence


def test_hostages_held_in_a_standoff_are_other_not_trapped() -> None:
    found = counts("The gunmen remain holed up in a school with some 20 hostages, the police said.")
    assert [(e.category, e.count.min if e.count else None) for e in found] == [("other", 20)]


def test_residents_holed_up_are_still_trapped() -> None:
    found = counts("About 200 residents remain trapped in the besieged quarter, the police said.")
    assert [(e.category, e.count.min if e.count else None) for e in found] == [("trapped", 200)]


def test_lakh_and_crore_are_scales() -> None:
    lakh = counts("Fighting in the district has displaced 3.7 lakh people since March, officials said.")
    crore = counts("Floods and fighting have displaced 1.2 crore people this year, the agency said.")
    assert [e.count.min for e in lakh if e.count] == [370_000]
    assert [e.count.min for e in crore if e.count] == [12_000_000]


def test_both_towns_are_the_two_towns_named_before() -> None:
    text = "Rebel troops besieged Goma and Bukavu in January. Both towns fell to the rebels in February."
    assert sorted(p for p, _ in changes(text)) == ["Bukavu", "Goma"]


def test_both_towns_with_one_town_named_before_take_nothing() -> None:
    text = "Rebel troops besieged Goma in January. Both towns fell to the rebels in February."
    assert changes(text) == []


def test_a_list_after_among_the_towns_taken_were_is_captured() -> None:
    text = "The offensive lasted weeks. Among the towns taken by the rebels in its first days were Kassala and Sennar."
    assert sorted(changes(text)) == [("Kassala", "Rebels"), ("Sennar", "Rebels")]


def test_among_the_towns_visited_or_hoped_for_is_no_capture() -> None:
    assert changes("The war went on. Among the towns visited by the envoy were Kassala and Sennar.") == []
    assert changes("The war went on. Among the towns the rebels hoped to take were Kassala and Sennar.") == []


def test_a_taker_named_two_sentences_back_past_they() -> None:
    text = (
        "M23 fighters attacked across North Kivu in January. During the assault they drove into the hills. "
        "Among the towns taken in the first week were Sake and Minova."
    )
    assert sorted(changes(text)) == [("Minova", "M23"), ("Sake", "M23")]


def test_the_town_cleared_of_named_insurgents_is_no_place_named_after_them() -> None:
    text = "Fighting lasted a week. Government troops cleared the town of Islamist insurgents on Sunday."
    assert changes(text) == []


def test_the_town_of_a_name_is_still_the_named_town() -> None:
    text = "Fighting lasted a week. Government troops recaptured the town of Kassala from rebel forces on Sunday."
    assert changes(text) == [("Kassala", "Sudanese Armed Forces (SAF)")]


def test_a_places_possessive_fall_goes_to_the_agent_or_the_assailant_before() -> None:
    assert changes("The Taliban advanced all week. Kandahar's fall to the Taliban came on Friday.") == [
        ("Kandahar", "Taliban")
    ]
    assert changes("Rebel troops attacked Kassala in May. Kassala's fall came a week later.") == [("Kassala", "Rebels")]


def test_a_places_possessive_capture_imagined_or_feared_is_none() -> None:
    assert changes("Rebel troops attacked Kassala in May. Kassala's capture would have cut the road.") == []
    assert changes("Rebel troops attacked Kassala in May. Analysts feared Kassala's fall.") == []


def test_plural_seizures_of_listed_towns_are_captures() -> None:
    text = "Islamist fighters raided towns across Borno in 2014. Reports told of the seizures of Gwoza and Bama by the group."
    assert sorted(p for p, _ in changes(text)) == ["Bama", "Gwoza"]


def test_a_whole_country_is_taken_by_conquest_in_a_report_of_war() -> None:
    text = "The invasion began in October and Italian troops advanced from Eritrea. Italy conquered Ethiopia in 1936."
    assert changes(text) == [("Ethiopia", "Italian forces")]


def test_a_whole_country_is_no_capture_and_no_conquest_outside_war() -> None:
    assert changes("Troops and tanks fought for a week near the border. Russian troops captured Ukraine.") == []
    assert changes("The band conquered Germany in 1964 with their hit songs.") == []


# Guards from the session's review: each sentence gave a false event before its fix.


def test_an_acronym_takes_nothing_outside_a_report_of_war_or_as_an_object() -> None:
    assert changes("When the DA took over Cape Town, water bills rose.") == []
    assert changes("Durban fell to the ANC.") == []
    assert changes("The siege went on and troops shelled the town. Meiktila fell to the NYSE floor traders.") == []
    assert changes("During the war, those who backed the KNDO then occupied Insein after a battle with troops.") == []


def test_a_state_does_not_conquer_its_own_country() -> None:
    assert (
        changes("The war lasted years and the army's troops suffered. The army conquered Afghanistan in a month.") == []
    )


def test_countries_listed_after_a_country_are_no_parents() -> None:
    text = "German troops invaded in April after a battle. Germany conquered Poland, Denmark, and Norway in the war."
    assert sorted(p for p, _ in changes(text)) == ["Denmark", "Norway", "Poland"]


def test_a_comma_and_after_one_place_is_no_serial_comma() -> None:
    assert [p for p, _ in changes("Rebel troops seized Goma, and Sake residents fled after the battle.")] == ["Goma"]


def test_a_region_with_its_head_after_a_place_is_its_parent() -> None:
    text = "Russian troops captured Bakhmut, Donetsk Oblast, and Avdiivka after months of battle and shelling."
    assert sorted(p for p, _ in changes(text)) == ["Avdiivka", "Bakhmut"]


def test_one_of_the_two_towns_or_another_two_is_not_both() -> None:
    for sentence in (
        "One of the two towns fell to the rebels in February.",
        "Another two towns fell to the rebels in February.",
        "Neither of the two towns was captured.",
    ):
        assert changes(f"Rebel troops besieged Goma and Bukavu in January. {sentence}") == [], sentence


def test_a_places_possessive_noun_that_qualifies_or_doubts_is_no_capture() -> None:
    for sentence in (
        "Kabul's fall semester begins in September.",
        "Kassala's liberation front issued a statement.",
        "Kassala's capture seemed unlikely.",
        "To prevent Kassala's fall, the army sent troops.",
        "Kassala's capture was denied by the army.",
        "Kassala's recapture came in June.",
    ):
        assert changes(f"Rebel troops attacked Kassala and Kabul in the battle last week. {sentence}") == [], sentence


def test_among_the_towns_taken_after_a_passive_they_has_no_taker() -> None:
    text = (
        "French troops held the line in May. They were pushed back across the river. "
        "Among the towns taken were Sedan and Dinant."
    )
    assert changes(text) == []


def test_a_forced_surrender_left_open_or_of_a_firm_is_none() -> None:
    for sentence in (
        "The defenders risk being forced to surrender.",
        "The defenders were forced to surrender or starve.",
        "The company was forced to surrender to creditors.",
    ):
        events = run(f"The siege went on for months and the army stormed the walls twice. {sentence}")
        assert of_kind(events, EventKind.surrender) == [], sentence


def test_a_forced_surrender_after_an_adverb_is_a_surrender() -> None:
    events = run(
        "The siege went on for months and the army stormed the walls. The defenders were finally forced to surrender."
    )
    assert [e.actor.name for e in of_kind(events, EventKind.surrender) if e.actor] == ["defenders"]


def test_captives_trapped_in_rubble_are_not_held_hostages() -> None:
    assert [e.category for e in counts("At least 15 captives were trapped in the rubble after the air strike.")] != [
        "other"
    ]


def test_the_district_of_named_fighters_is_no_place() -> None:
    assert changes("Troops cleared the district of Taliban fighters on Sunday after a battle.") == []
