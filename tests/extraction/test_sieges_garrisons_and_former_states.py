"""A place taken with no agent named goes to the side that assaulted it ('X besieged P. The fall of P ...', 'the town
was officially captured'), but a retaking is not guessed and a place's own garrison is no assailant; a place, or its
garrison, that gives itself up passes to the side that took its surrender or besieged it, and the besieger is not
the one surrendering; a side named in the plural is an agent after 'fell to'; empires and states of the past are
their armies as subjects and agents only; a town overrun in a war is taken unless the sentence tells a raid. Every
sentence was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, of_kind, run

WAR = "Troops and artillery fought for weeks. "


def surrendered(text: str) -> list[str]:
    return [e.actor.name for e in of_kind(run(text), EventKind.surrender) if e.actor is not None]


def test_the_fall_of_a_besieged_place_goes_to_the_besieger() -> None:
    text = "Serbian troops besieged Vukovar for three months. The fall of Vukovar in November shocked the country."
    assert changes(text) == [("Vukovar", "Serbian forces")]


def test_the_loss_of_a_besieged_place_names_no_taker() -> None:
    text = "Serbian troops besieged Vukovar for three months. The loss of Vukovar in November shocked the country."
    assert changes(text) == []


def test_an_adverb_between_the_auxiliary_and_the_participle_keeps_the_anaphor() -> None:
    text = "Rebel fighters attacked Kassala on Sunday. On Tuesday the town was officially captured."
    assert [p for p, _ in changes(text)] == ["Kassala"]


def test_a_side_named_in_the_plural_is_the_agent_of_a_fall() -> None:
    text = "After a long siege and heavy bombardment, Famagusta fell to the Venetians in 1489."
    assert changes(text) == [("Famagusta", "Venetians")]


def test_a_title_or_a_task_falling_to_a_side_is_no_change() -> None:
    assert changes(WAR + "In the final, the title fell to the Rangers after extra time.") == []
    assert changes(WAR + "The job of feeding Jaffna fell to the Tamils.") == []


def test_a_retaking_after_the_losers_shelling_names_no_taker() -> None:
    assert changes(WAR + "Russian forces shelled Kherson for months. Kherson was liberated in November.") == []


def test_a_places_own_garrison_is_not_its_assailant() -> None:
    text = WAR + "The Austrian garrison of Mantua attacked the French lines on Sunday. On Monday Mantua was captured."
    assert changes(text) == []


def test_a_fall_that_never_came_is_none() -> None:
    assert changes(WAR + "The Germans besieged Leningrad for 900 days. The fall of Leningrad never came.") == []


def test_a_former_state_is_its_army() -> None:
    text = "In the summer of 1940 the Soviet Union occupied Vilnius after its troops crossed the border."
    assert changes(text) == [("Vilnius", "Soviet Red Army")]


def test_a_former_state_as_an_object_is_no_side() -> None:
    assert changes(WAR + "In 1806 Napoleon defeated Prussia at Jena and occupied Berlin.") == []


def test_a_garrison_that_surrenders_to_a_side_hands_over_its_post() -> None:
    text = "The Austrian garrison of Mantua surrendered to French troops in February 1797 after a long siege."
    assert changes(text) == [("Mantua", "French forces")]
    assert surrendered(text) == ["Austrian forces"]


def test_a_place_that_gives_up_a_thing_or_is_given_up_by_a_side_names_no_taker() -> None:
    assert changes(WAR + "French troops besieged Mantua. Mantua surrendered hopes of relief.") == []
    assert changes(WAR + "French troops besieged Mantua. The garrison of Mantua surrendered its colours.") == []
    text = (
        WAR + "The rebels attacked Kilinochchi for a month. Kilinochchi was surrendered by the rebels when they left."
    )
    assert changes(text) == []


def test_a_garrison_that_capitulates_hands_its_post_to_the_besieger() -> None:
    text = "French troops besieged Mantua through the winter. The garrison of Mantua capitulated in February 1797."
    assert changes(text) == [("Mantua", "French forces")]


def test_a_city_that_surrenders_is_no_surrender_of_its_besieger() -> None:
    text = "French troops besieged Mantua for months until the city surrendered in February 1797."
    assert changes(text) == [("Mantua", "French forces")]
    assert surrendered(text) == []


def test_men_located_in_a_place_still_surrender() -> None:
    assert surrendered("Two battalions stationed in western Kachin State surrendered on Sunday.") == ["Two battalions"]
    text = "Government troops shelled the town for a week. The rebels in Mantua surrendered on Sunday."
    assert surrendered(text) == ["Rebels"]
    assert changes(text) == []


def test_men_in_the_fortress_still_surrender() -> None:
    text = "Troops besieged the fortress for a week. The last fighters in the fortress surrendered on Sunday."
    assert surrendered(text) != []


# --- adverbs after a subject; idioms of war; coordinated passives -------------------------------------------------


def test_a_country_with_an_adverb_before_its_verb_is_still_the_subject() -> None:
    text = "During the war Ethiopia successfully recaptured Badme after heavy fighting by its troops."
    assert [p for p, _ in changes(text)] == ["Badme"]


def test_a_side_named_in_the_plural_with_an_adverb_phrase_before_its_verb() -> None:
    text = "The Venetians soon afterwards occupied Famagusta after a siege and bombardment."
    assert changes(text) == [("Famagusta", "Venetians")]


def test_a_town_taken_by_storm_in_war_is_taken_and_a_city_taken_by_storm_by_a_band_is_not() -> None:
    text = "After a long siege and bombardment, Montenegrin forces took Scutari by storm."
    assert changes(text) == [("Scutari", "Montenegrin forces")]
    assert changes(WAR + "The army band took Paris by storm with its concerts.") == []


def test_coming_under_a_sides_rule_is_a_change() -> None:
    text = "After the siege the city of Adrianople came under Bulgarian rule in March 1913."
    assert changes(text) == [("Adrianople", "Bulgarian forces")]
    assert changes("After the siege the talks came under pressure as the army advanced.") == []
    assert changes(WAR + "Kassala came under military rule after the coup.") == []


def test_the_second_of_two_passives_sharing_an_auxiliary_has_the_first_ones_subject() -> None:
    text = "During the siege Scutari was evacuated by the Ottoman garrison and occupied by Montenegrin troops."
    assert changes(text) == [("Scutari", "Montenegrin forces")]
    assert changes("During the siege the garrison was fed by boats and occupied by thoughts of home.") == []


def test_a_town_that_was_surrendered_passes_to_its_besieger() -> None:
    text = "The rebels besieged Kilinochchi for a month. On the 9th the town of Kilinochchi was surrendered."
    assert changes(text) == [("Kilinochchi", "Rebels")]


# --- towns overrun in a war ----------------------------------------------------------------------------------


def test_a_town_overrun_in_a_war_is_taken_and_one_overrun_in_a_raid_is_not() -> None:
    text = "Bulgarian troops overran Lule Burgas after a three-day battle with Ottoman soldiers."
    assert changes(text) == [("Lule Burgas", "Bulgarian forces")]
    text = "Lule Burgas was overrun by Bulgarian troops after a battle with Ottoman soldiers."
    assert changes(text) == [("Lule Burgas", "Bulgarian forces")]
    assert changes("Boko Haram fighters overran Baga after a battle with soldiers, killing hundreds.") == []
    assert changes("Militants overran Baga after a battle with soldiers and withdrew at dawn.") == []


def test_an_overrun_that_failed_or_was_thrown_back_or_hit_positions_outside_a_town_is_none() -> None:
    assert changes(WAR + "Rebels failed to overrun Kassala.") == []
    assert changes(WAR + "Rebels nearly overran Kassala.") == []
    assert changes(WAR + "Government positions outside Kassala were overrun by rebels.") == []
    assert changes(WAR + "Rebels overran Kassala, but a counterattack drove them out the same night.") == []


# --- a second review: what the guards must not take away ---------------------------------------------------------


def test_an_overrun_after_hours_of_fighting_or_driving_out_the_defenders_is_still_taken() -> None:
    assert changes(WAR + "The rebels overran Kassala after hours of fighting.") == [("Kassala", "Rebels")]
    assert changes(WAR + "The rebels overran Kassala and drove out the defenders.") == [("Kassala", "Rebels")]
    text = WAR + "The rebels overran Kassala on Sunday after a failed government counterattack."
    assert changes(text) == [("Kassala", "Rebels")]


def test_a_duty_noun_in_another_clause_does_not_stop_a_fall() -> None:
    text = WAR + "After a lot of heavy fighting, the town of Kassala fell to the rebels."
    assert changes(text) == [("Kassala", "Rebels")]
    text = WAR + "Despite the heroic work of its defenders, Kassala fell to the rebels on Sunday."
    assert changes(text) == [("Kassala", "Rebels")]


def test_a_place_that_surrendered_on_a_weekday_or_days_later() -> None:
    for text in (
        "The rebels besieged Kassala for weeks. Kassala surrendered Sunday.",
        "The rebels besieged Kassala for weeks. Kassala surrendered two days later.",
    ):
        assert changes(text) == [("Kassala", "Rebels")], text


def test_a_fall_not_long_in_coming_still_came() -> None:
    text = "The rebels besieged Kassala for months. The fall of Kassala was not long in coming."
    assert changes(text) == [("Kassala", "Rebels")]


def test_two_former_states_as_one_subject() -> None:
    assert [a for _, a in changes(WAR + "Prussia and Austria occupied Schleswig in 1864.")] == ["Prussian army"]


def test_people_from_a_place_taken_prisoner_are_no_capture_of_the_place() -> None:
    assert changes(WAR + "Fighters from Kassala were captured by rebels.") == []
    assert changes(WAR + "Twelve civilians in Kassala were captured by the rebels.") == []
    assert changes(WAR + "The garrison of Kassala was captured by rebels.") == [("Kassala", "Rebels")]
    assert changes(WAR + "Kassala was captured by rebels.") == [("Kassala", "Rebels")]
