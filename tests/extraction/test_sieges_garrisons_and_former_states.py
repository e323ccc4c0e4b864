"""A place taken with no agent named goes to the side that assaulted it ('X besieged P. The fall of P ...', 'P was
retaken in October' after an offensive, 'the town was officially captured'); a place, or its garrison, that gives
itself up passes to the side that took its surrender or besieged it, and the besieger is not the one surrendering;
a side named in the plural is an agent after 'fell to'; empires and states of the past are their armies. Every
sentence was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, of_kind, run


def surrendered(text: str) -> list[str]:
    return [e.actor.name for e in of_kind(run(text), EventKind.surrender) if e.actor is not None]


def test_an_agentless_retaking_goes_to_the_side_whose_offensive_was_on_the_place() -> None:
    text = "Iraqi troops launched an offensive on Baiji in the spring. Baiji was retaken in October."
    assert [p for p, _ in changes(text)] == ["Baiji"]
    assert "Iraq" in changes(text)[0][1]


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


def test_a_title_falling_to_a_team_is_no_change() -> None:
    assert changes("In the final, the title fell to the Rangers after extra time.") == []


def test_a_former_state_is_its_army() -> None:
    text = "In the summer of 1940 the Soviet Union occupied Vilnius after its troops crossed the border."
    assert changes(text) == [("Vilnius", "Soviet Red Army")]


def test_a_garrison_that_surrenders_to_a_side_hands_over_its_post() -> None:
    text = "The Austrian garrison of Mantua surrendered to French troops in February 1797 after a long siege."
    assert changes(text) == [("Mantua", "French forces")]
    assert surrendered(text) == ["Austrian forces"]


def test_a_garrison_that_capitulates_hands_its_post_to_the_besieger() -> None:
    text = "French troops besieged Mantua through the winter. The garrison of Mantua capitulated in February 1797."
    assert changes(text) == [("Mantua", "French forces")]


def test_a_city_that_surrenders_is_no_surrender_of_its_besieger() -> None:
    text = "French troops besieged Mantua for months until the city surrendered in February 1797."
    assert changes(text) == [("Mantua", "French forces")]
    assert surrendered(text) == []


def test_men_located_in_a_place_still_surrender() -> None:
    assert surrendered("Two battalions stationed in northern Shan State surrendered on Sunday.") == ["Two battalions"]
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
    assert changes("The band took Paris by storm with three sold-out shows.") == []


def test_coming_under_a_sides_rule_is_a_change() -> None:
    text = "After the siege the city of Adrianople came under Bulgarian rule in March 1913."
    assert changes(text) == [("Adrianople", "Bulgarian forces")]
    assert changes("After the siege the talks came under pressure as the army advanced.") == []


def test_the_second_of_two_passives_sharing_an_auxiliary_has_the_first_ones_subject() -> None:
    text = "During the siege Scutari was evacuated by the Ottoman garrison and occupied by Montenegrin troops."
    assert changes(text) == [("Scutari", "Montenegrin forces")]
    assert changes("During the siege the garrison was fed by boats and occupied by thoughts of home.") == []


def test_a_town_that_was_surrendered_passes_to_its_besieger() -> None:
    text = "The rebels besieged Kilinochchi for a month. On the 9th the town of Kilinochchi was surrendered."
    assert changes(text) == [("Kilinochchi", "Rebels")]


# --- opening adjuncts; towns overrun in a war ------------------------------------------------------------------


def test_the_main_subject_after_an_opening_capture_noun_made_the_capture() -> None:
    assert changes("After the recapture of Kassala, the rebel troops moved south toward Gedaref.") == [
        ("Kassala", "Rebels")
    ]
    assert changes("After the seizure of Goma in January, M23 fighters moved on Bukavu.") == [("Goma", "M23")]


def test_a_speaker_after_an_opening_capture_noun_is_not_the_captor() -> None:
    assert changes("After the capture of Kassala, the army said the rebels had lost many men.") == []
    assert changes("After the fall of Kabul, American troops evacuated the embassy.") == []


def test_a_town_overrun_in_a_war_is_taken_and_one_overrun_in_a_raid_is_not() -> None:
    text = "Bulgarian troops overran Lule Burgas after a three-day battle with Ottoman soldiers."
    assert changes(text) == [("Lule Burgas", "Bulgarian forces")]
    text = "Lule Burgas was overrun by Bulgarian troops after a battle with Ottoman soldiers."
    assert changes(text) == [("Lule Burgas", "Bulgarian forces")]
    assert changes("Boko Haram fighters overran Baga after a battle with soldiers, killing hundreds.") == []
    assert changes("Militants overran Baga after a battle with soldiers and withdrew at dawn.") == []
