"""Classes of wording common in military history of any era: numbered formations as sides ('the 9th Army'), a ranked
commander's 'his N troops', an adverb between a passive participle and its agent, one side named by its adjective
and its plural ('Royalist troops' / 'the Royalists'), 'in X hands since T', a described town the gazetteer lacks
as a passive subject ('The town of X was taken'), and a nationality that opens a name ('the Polish Succession War').
Each is tried with sentences of the same shape that must give nothing. Every sentence was written for these tests."""

from __future__ import annotations

from .conftest import changes, controls

#: Two kinds of war word, so the report reads as one about fighting.
WAR = "Artillery shelled the lines for a week while the troops waited. "


# --- numbered formations ----------------------------------------------------------------------------------------


def test_a_numbered_formation_is_its_own_side_not_the_country_it_fights_in() -> None:
    assert changes(WAR + "The 9th Army occupied Lyon on 3 September.") == [("Lyon", "9th Army")]
    assert changes(WAR + "Soldiers of the 4th Division took Orvieto at dawn.") == [("Orvieto", "4th Division")]
    assert changes(WAR + "The 82nd Airborne Division captured Nijmegen bridge.")[0][1] == "82nd Airborne Division"


def test_the_ordinal_of_a_date_is_no_part_of_a_units_name() -> None:
    found = changes(WAR + "On March 3rd Eastern Liberation Army fighters captured Azaz.")
    assert found and all(not actor.startswith("3rd") for _, actor in found)
    assert all(not a.startswith("3rd") for _, a in changes(WAR + "On May 3rd Eastern Liberation Army took Azaz."))


# --- a ranked commander's own men -------------------------------------------------------------------------------


def test_his_troops_after_a_ranked_commander_are_named_after_him() -> None:
    found = changes(WAR + "Colonel Pedro Arriaga and his 900 troops captured Ostrava in May.")
    assert found == [("Ostrava", "Pedro Arriaga's forces")]
    aside = changes(WAR + "General Tomas Ulloa (a veteran of two wars) and his men took the town of Brno.")
    assert aside == [("Brno", "Tomas Ulloa's forces")]


def test_his_troops_after_a_person_with_no_rank_or_outside_a_war_are_not_named_after_him() -> None:
    found = changes(WAR + "Pedro Arriaga and his 900 troops captured Ostrava in May.")
    assert all(actor != "Pedro Arriaga's forces" for _, actor in found)
    cricket = changes("India won the toss. Captain Rohit Sharma and his men conquered Melbourne after a tense chase.")
    assert cricket == []


# --- an adverb before a passive's agent -------------------------------------------------------------------------


def test_an_adverb_between_participle_and_agent_keeps_the_agent() -> None:
    assert changes(WAR + "Kismayo was captured swiftly by the rebels.") == [("Kismayo", "Rebels")]
    assert changes(WAR + "Kismayo was retaken again by government troops.")[0][0] == "Kismayo"


def test_an_adverb_then_a_by_phrase_of_means_gives_no_agent() -> None:
    assert all(actor != "boat" for _, actor in changes(WAR + "Kismayo was reached quickly by boat."))


# --- one side, its adjective and its plural ---------------------------------------------------------------------


def test_a_sides_adjective_takes_the_id_of_its_plural_named_elsewhere_in_the_report() -> None:
    text = WAR + "Royalist troops took Reading in May, and the Royalists then marched on Bristol."
    found = [e for e in controls(text) if e.place is not None and e.place.name == "Reading"]
    assert [(e.actor.id, e.actor.name) for e in found if e.actor is not None] == [("royalists", "Royalists")]


def test_an_adjective_whose_plural_the_report_never_names_keeps_its_own_name() -> None:
    text = WAR + "Royalist troops took Reading in May and then marched on Bristol."
    found = [e.actor.name for e in controls(text) if e.actor is not None]
    assert found and "Royalists" not in found


# --- in X hands since T -----------------------------------------------------------------------------------------


def test_in_a_sides_hands_since_a_time_is_a_change_then() -> None:
    found = controls(WAR + "The port of Kismayo has been in rebel hands since 12 March.")
    assert [(e.place.name, e.kind.value) for e in found if e.place is not None] == [("Kismayo", "control_change")]
    assert found[0].evidence.text.endswith("since 12 March")


def test_since_in_another_clause_or_sense_is_no_start_of_the_hold() -> None:
    assert controls(WAR + "The port of Kismayo is in rebel hands, and no aid has come since 12 March.") == []
    assert controls(WAR + "The port of Kismayo is in rebel hands for the first time since 2012.") == []
    assert controls(WAR + "The port of Kismayo has been in rebel hands for a long time.") == []


# --- a described town the gazetteer lacks as a passive subject --------------------------------------------------


def test_the_town_of_an_unknown_name_opening_a_passive_capture_is_the_place() -> None:
    assert changes(WAR + "The town of Vrelokamen was captured by the rebels on 12 March.") == [("Vrelokamen", "Rebels")]
    assert changes(WAR + "The island of Zarvenica was taken by the rebels.") == [("Zarvenica", "Rebels")]


def test_a_described_town_inside_a_larger_subject_is_no_place_taken() -> None:
    found = changes(WAR + "The mayor of the town of Vrelokamen was captured by the rebels.")
    assert all(place != "Vrelokamen" for place, _ in found)


# --- a nationality opening a name -------------------------------------------------------------------------------


def test_a_nationality_before_a_capitalised_word_is_a_names_first_word_not_a_people() -> None:
    text = WAR + "The Polish Succession War was a month old. In the end they seized Kehl after a siege."
    assert all(actor != "Polish forces" for _, actor in changes(text))


def test_a_people_before_a_weekday_is_still_a_people() -> None:
    assert changes(WAR + "Kherson was recaptured by the Ukrainians Friday after a long siege.") == [
        ("Kherson", "Ukrainian forces")
    ]
