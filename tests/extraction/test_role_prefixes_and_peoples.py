"""Session 17 classes: a '-held' prefix that names a side by its role is bound in the report's own war; a siege or
a battle of a named place tells a war; a people after 'the' is a side even where a small town abroad bears its
name or its name is a demonym of no state. Each is tried with same-shape sentences that must give nothing new.
Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, controls, of_kind, run


def _holders(text: str) -> list[str]:
    """The actor of each control state ('rebel-held X')."""
    return [e.actor.name for e in of_kind(run(text), EventKind.control_state) if e.actor is not None]


# --- '-held' prefixes -------------------------------------------------------------------------------------------


def test_army_held_is_the_army_of_the_reports_own_country() -> None:
    text = "Mortar fire hit the last army-held town in Ituri province of the Democratic Republic of Congo on Monday."
    assert _holders(text) == ["Congolese army (FARDC)"]


def test_government_held_is_the_government_of_the_reports_own_war() -> None:
    text = "Myanmar's junta lost ground in Shan State, where government-held Lashio came under drone attack."
    holders = _holders(text)
    assert holders and all("Syria" not in h for h in holders)
    assert holders == ["Myanmar military"]


def test_rebel_held_is_the_rebel_group_the_report_names() -> None:
    text = "M23 fighters dug in around Sake as shells fell on rebel-held parts of Masisi territory."
    assert _holders(text) == ["M23"]


def test_a_held_place_belongs_to_its_own_country_not_to_the_state_that_strikes_it() -> None:
    assert _holders("Iranian drones struck government-held Erbil, Kurdish officials said.") == [
        "Iraqi government forces"
    ]
    assert _holders("Russian glide bombs hit army-held positions near Pokrovsk on Tuesday.") == ["Army"]
    assert _holders("Turkish drones struck regime-held Tal Rifaat as Kurdish fighters withdrew.") == [
        "Syrian government forces"
    ]


def test_a_named_prefix_and_an_unbound_role_keep_their_readings() -> None:
    assert _holders("Air strikes hit IS-held Raqqa overnight, monitors said.") == ["Islamic State"]
    assert _holders("Shells hit rebel-held Idlib overnight.") == ["Rebels"]


# --- a siege or battle of a named place tells a war --------------------------------------------------------------


def test_a_siege_of_weeks_and_a_battle_make_a_report_of_war() -> None:
    # 'siege of' before a lower-case word was read as figurative, so the report had one military word, not two
    text = "The Mongols captured Ryazan after a siege of six days and a battle outside its walls."
    assert changes(text) == [("Ryazan", "Mongols")]


def test_an_army_of_fans_and_a_battle_of_wits_still_tell_no_war() -> None:
    # were they read as war, 'the Rovers' would be a side taking Burnley
    assert controls("After a battle of wits and a siege of the visitors' goal, the Rovers took Burnley.") == []
    text = "After a siege of the boardroom and a bruising battle for the nomination, the Republicans took Arizona."
    assert controls(text) == []


def test_the_battle_of_a_named_place_after_the_article_tells_a_war() -> None:
    text = "After the Battle of the Ebro and the bombardment of Barcelona, the Nationalists took Tarragona."
    assert changes(text) == [("Tarragona", "Nationalists")]


# --- peoples after 'the' ---------------------------------------------------------------------------------------------


_SIEGE = "The {p} besieged the city with a large army for most of the winter. "


def test_a_people_whose_name_a_small_town_abroad_bears_is_a_side() -> None:
    # Romans (France) and Danes (Romania) are small towns; after 'the' in a report of war the words name peoples
    assert changes(_SIEGE.format(p="Romans") + "Carthage fell to the Romans in the spring.") == [("Carthage", "Romans")]
    assert changes(_SIEGE.format(p="Danes") + "Carthage fell to the Danes in the spring.") == [("Carthage", "Danes")]


def test_a_demonym_of_no_state_after_the_is_a_side() -> None:
    assert changes(_SIEGE.format(p="English") + "Orleans fell to the English in May.") == [("Orleans", "English")]


def test_a_people_read_as_a_town_elsewhere_is_never_the_place_it_takes() -> None:
    text = "The Danes besieged York with a large army for most of the winter. The city fell to the Danes in the spring."
    assert all(place != "Danes" for place, _ in changes(text))


def test_a_demonym_before_a_noun_or_outside_a_war_is_no_side() -> None:
    text = "Troops and artillery moved in after the siege; Kherson was taken by the English press pool the next day."
    assert controls(text) == []
    assert controls("Orleans fell to the English in May.") == []


def test_a_town_named_without_the_or_outside_a_war_stays_a_town() -> None:
    assert controls("We drove to Romans for the weekend. The English team lost the final in May.") == []
    assert changes("Orleans fell to the English in the vote on the new stadium.") == []


def test_the_democratic_republic_of_congo_is_not_read_as_the_republic_of_congo() -> None:
    text = "Heavy fighting hit Ituri province of the Democratic Republic of Congo. The army retook Bunia on Sunday."
    assert changes(text) == [("Bunia", "Congolese army (FARDC)")]


# --- an appositive that opens with a possessive name --------------------------------------------------------------


def test_a_place_described_by_a_possessive_appositive_is_the_subject() -> None:
    # 'Ituri' inside the description only says where Bunia is: it was read as a second fallen place
    assert changes("Bunia, Ituri's main town, fell to rebel forces on Sunday after heavy fighting.") == [
        ("Bunia", "Rebels")
    ]
    text = "Kisangani, Zaire's third city and the last army-held outpost in the east, fell to rebel forces on Saturday."
    assert changes(text) == [("Kisangani", "Rebels")]


def test_a_person_described_by_a_possessive_appositive_takes_no_place() -> None:
    assert controls("Jean Bosco, Ituri's governor, fell ill on Sunday after heavy fighting in the town.") == []


# --- a withdrawal under compulsion -----------------------------------------------------------------------------------


def test_soldiers_forced_to_leave_a_place_leave_it_to_the_other_side() -> None:
    text = "M23 fighters attacked Bunia for a week. On Monday, Congolese soldiers were then forced to leave the town."
    assert changes(text) == [("Bunia", "M23")]
    assert changes("Congolese soldiers were forced to abandon Bunia by M23 fighters on Monday.") == [("Bunia", "M23")]


def test_people_forced_to_leave_or_a_risk_of_it_or_troops_regrouping_give_no_change() -> None:
    assert controls("Palestinians were forced to leave northern Gaza by Israeli troops last year.") == []
    assert controls("Ukrainian troops risk being forced to leave Pokrovsk as Russian forces close in.") == []
    text = "Government troops, forced to leave Hodeidah, regrouped in Mocha, while the Houthis shelled the port."
    assert controls(text) == []


def test_residents_forced_to_leave_or_soldiers_not_forced_give_no_change() -> None:
    assert controls("Residents were forced to leave Bunia as M23 fighters advanced on the town.") == []
    text = "M23 fighters shelled Bunia. Congolese soldiers were not forced to leave the town, the army said."
    assert controls(text) == []


# --- places listed after a plural head --------------------------------------------------------------------------------


def test_places_listed_after_posts_in_or_towns_of_all_fell() -> None:
    text = "Police posts in Rolpa and Rukum fell to the rebels overnight after heavy fighting."
    assert changes(text) == [("Rolpa", "Rebels"), ("Rukum", "Rebels")]
    text = "The towns of Rolpa and Rukum fell to the rebels overnight after heavy fighting."
    assert changes(text) == [("Rolpa", "Rebels"), ("Rukum", "Rebels")]


def test_places_listed_after_another_noun_are_no_subject() -> None:
    assert changes("Talks in Doha and Rolpa fell apart as the rebels seized Rukum.") == [("Rukum", "Rebels")]


# --- what was prevented did not happen -------------------------------------------------------------------------


def test_a_capture_that_was_prevented_is_no_change() -> None:
    assert controls("The pasha evacuated his men to prevent Kavala from being taken by Bulgarian troops.") == []
    assert controls("Militiamen kept the rebels from seizing Bor, officials said.") == []


def test_a_verb_of_preventing_in_a_relative_clause_blocks_nothing_after_it() -> None:
    text = "M23 rebels, who prevented aid from reaching Sake, captured Minova on Tuesday."
    assert changes(text) == [("Minova", "M23")]


def test_a_prevented_advance_before_a_capture_or_from_a_city_blocks_nothing() -> None:
    text = "After Greek troops prevented a Bulgarian advance, they captured Salonica on 8 November."
    assert changes(text) == [("Salonica", "Greek forces")]
    assert changes("Greek troops from Athens captured Salonica on 8 November.") == [("Salonica", "Greek forces")]
