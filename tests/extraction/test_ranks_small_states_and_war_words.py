"""Session 18 classes: a rank before a name makes it a person (never a town of that name) and ties the person to
troops; a state small enough to be taken whole is a place a side captures; a report that speaks of a navy,
marines, battalions or forces is a report of war; a name before a modified kind ('the X refugee camp') is the
place's; an agentless capture after 'and' belongs to the side of the clause of taking before it; people rescued
in a report of captivity were released. Each is tried
with same-shape sentences that must give nothing new. Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind
from workers.extraction.actors import Binder
from workers.extraction.lexicons import load

from .conftest import changes, of_kind, run


def _at_war(text: str) -> bool:
    return bool(Binder(load(), text, text.lower()).at_war)


# --- a rank before a name -------------------------------------------------------------------------------------


def test_a_ranked_name_is_a_person_not_a_town_of_that_name() -> None:
    text = (
        "In April 1862 Admiral David Farragut captured the port city of New Orleans after his gunboats and Union "
        "forces ran past the forts below it."
    )
    pairs = changes(text)
    assert pairs == [("New Orleans", "David Farragut")]


def test_a_ranked_name_is_no_town_a_later_reference_could_mean() -> None:
    text = "Admiral David Farragut steamed past the forts, and Union marines and gunboats took the city after a battle."
    assert all(place != "Farragut" for place, _ in changes(text))


def test_major_opening_a_sentence_is_an_adjective_not_a_rank() -> None:
    events = of_kind(
        run("Major Kharkiv districts were shelled overnight, killing 12 civilians."), EventKind.civilian_count
    )
    assert [e.place.name for e in events if e.place is not None] == ["Kharkiv"]


def test_a_ranked_commander_takes_a_place_in_a_sentence_that_names_no_troops() -> None:
    text = (
        "Artillery pounded the Confederate lines for weeks while the infantry dug trenches. "
        "On 2 September General Sherman captured Atlanta."
    )
    assert ("Atlanta", "Sherman") in changes(text)


def test_a_commander_owning_a_capture_may_bear_a_surname_that_is_a_common_word() -> None:
    text = (
        "Union troops and navy gunboats moved up the river in February 1862. "
        "Grant's capture of Fort Donelson a week later opened Tennessee to the Union armies."
    )
    assert ("Fort Donelson", "Grant") in changes(text)


def test_a_player_or_an_unranked_common_word_takes_no_place() -> None:
    text = "The siege of the title ended in Paris: Nadal's capture of Paris came after a battle with Djokovic."
    assert changes(text) == []
    text = (
        "Navy and army officers met in Cairo on Monday. "
        "The King's capture of the regional title was celebrated in Alexandria."
    )
    assert changes(text) == []


# --- small states --------------------------------------------------------------------------------------------


def test_a_state_small_enough_to_be_taken_whole_is_a_place_a_side_captures() -> None:
    pairs = changes("Iraqi troops seized Kuwait within hours on 2 August 1990, the first day of the invasion.")
    assert [place for place, _ in pairs] == ["Kuwait"]
    assert changes("Japanese forces captured Hong Kong on Christmas Day 1941 after a siege by their artillery.") == [
        ("Hong Kong", "Japanese forces")
    ]


def test_a_large_country_is_never_what_a_side_captures() -> None:
    assert changes("Islamic State militants seized large parts of Iraq in the summer of 2014.") == []
    assert changes("The Taliban seized Afghanistan in August 2021 as the army collapsed.") == []


# --- words of war --------------------------------------------------------------------------------------------


def test_marines_battalions_gunboats_or_warships_tell_a_report_of_war() -> None:
    assert _at_war("Federal marines and their gunboats moved south along the river.")
    assert _at_war("Two battalions landed from the warships at dawn.")


def test_everyday_words_of_force_tell_no_war() -> None:
    assert not _at_war("The Greens joined forces with campaigners and captured a Labour stronghold in wartime style.")
    assert not _at_war("Market forces and the Old Navy brand lifted sales; the fighters in the ring drew a crowd.")


# --- kinds with modifiers, a shared subject across 'and' ----------------------------------------------------


def test_a_named_place_keeps_its_name_before_a_modified_kind() -> None:
    text = "The Dbayeh refugee camp was captured by the rebels after a siege by their fighters and artillery."
    assert [place for place, _ in changes(text)] == ["Dbayeh"]
    assert [place for place, _ in changes("The Mutla army post fell to the rebels after a battle with troops.")] == [
        "Mutla post"
    ]


def test_an_agentless_capture_after_and_is_the_side_of_the_clause_of_taking_before_it() -> None:
    text = "After weeks of street battles, Soviet troops secured the Reichstag and Berlin was taken on 2 May."
    assert changes(text) == [("Berlin", "Soviet Red Army")]


def test_an_agentless_capture_after_a_clause_of_no_taking_or_no_side_gets_no_taker() -> None:
    assert changes("Diplomats met in the palace and Berlin was taken, after a battle with the army.") == []
    text = "Russian troops took Avdiivka in February and Kupiansk was recaptured weeks later after a battle."
    assert ("Kupiansk", "Russian forces") not in changes(text)
    text = "Russian troops took Avdiivka in February and Kupiansk was officially recaptured, after a battle."
    assert ("Kupiansk", "Russian forces") not in changes(text)
    assert changes("Troops secured the palace, the square emptied and Berlin was taken, after a battle.") == []


# --- people rescued ------------------------------------------------------------------------------------------


def _counts(text: str) -> list[tuple[str, int | None]]:
    return [(str(e.category), e.count.min if e.count else None) for e in of_kind(run(text), EventKind.civilian_count)]


def test_people_rescued_in_a_report_of_captivity_were_released() -> None:
    assert _counts("Marines rescued 35 hostages from a rebel camp near Jolo on Friday.") == [("released", 35)]
    text = "Gunmen kidnapped pupils from a school in Kankara. Soldiers later rescued 120 children from the forest."
    assert _counts(text) == [("released", 120)]


def test_people_rescued_from_fighting_were_evacuated() -> None:
    text = "Boats rescued 400 residents from the shelled district as the fighting closed in."
    assert _counts(text) == [("evacuated", 400)]
