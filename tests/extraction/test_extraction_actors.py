"""Actors of today's wars: states' forces, speakers' own forces, defined acronyms, whole names, leaders and allies.
Every sentence here was written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from workers.extraction.actors import Binder, find_actors
from workers.extraction.lexicons import load
from workers.extraction.sentences import tokenize

from .conftest import actor_of, controls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian forces captured the village of Krasnohorivka on Monday.", "russia"),
        ("Ukrainian troops recaptured the village of Robotyne after weeks of fighting.", "ukrainian-forces"),
        ("Malian soldiers seized the town of Ber from the separatists.", "fama"),
        ("Ethiopian government forces retook the town of Dessie.", "endf"),
        ("Azerbaijan's army took the town of Hadrut last week.", "azerbaijani-forces"),
        ("Israel's military said it had taken control of the Netzarim corridor.", "israel"),
        ("The Sudanese army recaptured the city of Sinja on Saturday.", "saf"),
        ("Burkinabe troops retook the town of Djibo.", "burkinabe-forces"),
        ("Nigerian soldiers recaptured the town of Monguno.", "nigerian-forces"),
    ],
)
def test_nationality_or_country_with_armed_noun_is_the_state(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


def test_state_forces_have_a_natural_name() -> None:
    assert actor_of("Chadian troops seized the town of Ati.") == ("chadian-forces", "Chadian forces")


def test_backed_separatists_are_not_the_backer() -> None:
    for text in (
        "Pro-Russian separatists captured the town of Debaltseve.",
        "Russian-backed separatists seized the airport of Donetsk.",
    ):
        got = actor_of(text)
        assert got is not None and got[0] == "donbas-separatists", (text, got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Its forces had taken Pervomaiske, Russia's defence ministry claimed in a statement.", "russia"),
        ("Moscow said its troops had captured the town of Marinka.", "russia"),
        ("Kyiv said its forces had retaken the village of Klishchiivka.", "ukrainian-forces"),
        ("The RSF said its fighters had seized the town of Ed Daein.", "rsf"),
    ],
)
def test_possessive_pronoun_binds_to_the_speaker(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


def test_the_army_binds_to_the_reports_country() -> None:
    text = (
        "Fighting in Sudan spread to Sennar state this week. "
        "The army said its troops had recaptured the town of Singa from the paramilitaries."
    )
    got = actor_of(text)
    assert got is not None and got[0] == "saf"


def test_acronym_defined_in_text_binds_later_mentions() -> None:
    text = (
        "The Shan Liberation Democratic Army (SLDA) said it had seized the town of Mongyai. "
        "SLDA fighters later captured the town of Hsipaw."
    )
    found = controls(text, None)
    assert [(e.actor.id if e.actor else None) for e in found] == ["slda", "slda"]
    assert found[0].actor is not None and found[0].actor.name == "Shan Liberation Democratic Army (SLDA)"


def test_defined_acronym_of_a_known_actor_is_that_actor() -> None:
    got = actor_of("The Arakan Army (AA) captured the town of Paletwa on Sunday.")
    assert got is not None and got[0] == "arakan-army"


def test_known_acronym_alone() -> None:
    for text, expected in (
        ("The MNDAA captured the town of Chinshwehaw.", "mndaa"),
        ("JNIM fighters seized the town of Boulkessi.", "jnim"),
        ("M23 rebels captured the town of Rubaya.", "m23"),
    ):
        got = actor_of(text)
        assert got is not None and got[0] == expected, (text, got)


def test_unknown_organisation_name_is_kept_whole() -> None:
    got = actor_of("The Sudan Revolutionary Liberation Front captured the town of Kutum.")
    assert got is not None and got[1] == "Sudan Revolutionary Liberation Front"
    got = actor_of("The Kachin Liberation Defence Army captured the town of Sumprabum.")
    assert got is not None and got[1] == "Kachin Liberation Defence Army"


def test_led_by_and_x_led_give_the_leader() -> None:
    for text in (
        "Rebels led by Hayat Tahrir al-Sham captured the city of Hama.",
        "HTS-led insurgents seized the town of Maarat al-Numan.",
    ):
        got = actor_of(text)
        assert got is not None and got[0] == "hts", (text, got)


def test_forces_loyal_to_a_side_or_its_leader_are_that_side() -> None:
    for text, expected in (
        ("Forces loyal to Khalifa Haftar took the town of Gharyan on Wednesday.", "lna"),
        ("Militiamen loyal to General Hemedti seized the town of Nyala.", "rsf"),
        ("Fighters loyal to the Houthis captured the district of Harib.", "houthis"),
    ):
        got = actor_of(text)
        assert got is not None and got[0] == expected, (text, got)


def test_an_ally_or_an_unknown_leader_keeps_the_whole_phrase_as_the_side() -> None:
    for text, name in (
        ("Militias allied with the Houthis seized the town of Harib.", "Militias allied with the Houthis"),
        ("Fighters loyal to warlord Ahmed Madobe took the port of Kismayo.", "Fighters loyal to warlord Ahmed Madobe"),
    ):
        got = actor_of(text)
        assert got is not None and got[1] == name, (text, got)


def test_backed_by_is_an_ally_not_the_actor() -> None:
    got = actor_of("M23 rebels, backed by Rwandan troops, seized the town of Sake.")
    assert got is not None and got[0] == "m23"


def test_coordinated_nationalities_lead_with_the_first() -> None:
    got = actor_of("Malian and Wagner forces captured the town of Anefis.")
    assert got is not None and got[0] == "fama"


def test_generic_rebels_bind_to_the_named_group() -> None:
    text = "The M23 advanced on Goma this week. The rebels seized the town of Minova on Tuesday."
    found = controls(text, None)
    assert [(e.place.name if e.place else "", e.actor.id if e.actor else None) for e in found] == [("Minova", "m23")]


def test_unknown_actor_keeps_the_fallback() -> None:
    got = actor_of("Mutinous soldiers seized the town of Kanga.")
    assert got is not None and got[0] == "mutinous-soldiers"


def test_home_country_counts_countries_not_lower_case_words() -> None:
    lex = load()
    binder = Binder(lex, "The turkey was eaten. Fighting in Mali continued; Malian troops moved north.")
    assert binder.home == "ML"


def test_country_after_a_preposition_is_not_a_subject() -> None:
    lex = load()
    text = "Rebels from across the Central African Republic have occupied a mining camp."
    tokens = tokenize(text)
    mentions = find_actors(tokens, [t.low for t in tokens], Binder(lex, text))
    assert [m.actor.id for m in mentions] == ["rebels"]


def test_short_country_names_count_for_the_report() -> None:
    binder = Binder(load(), "Troops in Mali and Chad clashed; Mali said the attack failed.")
    assert binder.home == "ML"


def test_rebels_qualified_by_a_known_groups_name_are_that_group() -> None:
    got = actor_of("Arakan rebels captured the town of Thandwe on Friday.")
    assert got is not None and got[0] == "arakan-army"
    got = actor_of("Zaghawa rebels captured the town of Tine on Friday.")
    assert got is not None and got[1] == "Zaghawa rebels"
