"""Session 19 classes: names and figures set in quotation marks read as unquoted ('the villages of "Talish" and
"Madagiz"', 'the flight of "more than 50,000 people,"'); 'that' after a verb of saying opens what was said, no
relative clause; 'camp' after an armed owner is a facility and a facility 'in the city of X' has X as its parent;
'took X when the war began' is a capture (only 'took X to war' is the idiom); a one-word breakdown ('including
children') between a count and its verb. Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind
from workers.extraction.textnorm import clean

from .conftest import changes, counts, of_kind, run


def test_quoted_place_names_in_a_list_are_each_captured() -> None:
    text = 'The ministry said its army had liberated the villages of "Talish" and "Madagiz" after heavy fighting.'
    assert sorted(place for place, _ in changes(text)) == ["Madagiz", "Talish"]


def test_quoted_speech_keeps_its_marks() -> None:
    text = 'He said "We Won" and left, while "the town is calm" was their reply.'
    assert clean(text).text == text


def test_a_quoted_figure_is_counted() -> None:
    events = counts('The rebels\' capture of the town sparked the flight of "more than 50,000 people," the UN said.')
    assert [(e.category, e.count.min if e.count else None) for e in events] == [("fled", 50001)]


def test_unquoting_keeps_every_offset() -> None:
    text = 'the villages of "Talish" and the flight of "about 9,000 people," officials said'
    assert len(clean(text).text) == len(text)


def test_that_after_a_verb_of_saying_is_no_relative_pronoun() -> None:
    text = (
        "Ahmed Sidi, a spokesman for the Movement for the Salvation of Azawad (MSA), told Reuters that his fighters "
        "had taken control of the army camp in Anefis after fighting."
    )
    assert [place for place, _ in changes(text)] == ["Anefis camp"]


def test_a_bare_camp_stays_a_place_of_its_own() -> None:
    text = "RSF fighters stormed and took control of Zamzam camp on Friday after days of shelling."
    assert [place for place, _ in changes(text)] == ["Zamzam"]


def test_a_facility_in_the_city_of_a_town_has_that_town_as_parent() -> None:
    text = "Iraqi troops retook a government complex in the city of Ramadi from Islamic State militants after fighting."
    assert [place for place, _ in changes(text)] == ["Ramadi complex"]


def test_took_a_town_when_the_war_began_is_a_capture() -> None:
    text = "Armenian troops took Lachin when the war began in 1992, after heavy fighting with the defenders."
    assert changes(text) == [("Lachin", "Armenian forces")]


def test_took_a_country_to_war_is_still_no_capture() -> None:
    assert changes("Hezbollah took Lebanon to war in 2006 after a raid by its fighters on Israeli troops.") == []


def test_a_one_word_breakdown_between_count_and_verb_is_skipped() -> None:
    events = counts("At least 15 civilians including children were killed in Rutshuru in shelling on Monday.")
    assert [(e.category, e.count.min if e.count else None) for e in events] == [("killed", 15)]


def test_a_surrendering_body_is_counted_past_a_bracketed_acronym() -> None:
    events = of_kind(
        run("Some 2,000 Islamic State (IS) fighters surrendered to Kurdish forces in Raqqa on Friday."),
        EventKind.surrender,
    )
    assert [e.count.min if e.count else None for e in events] == [2000]


def test_a_complex_is_a_facility_only_with_an_owner_before_it() -> None:
    assert changes("Troops retook the complex situation in the town of Hit after talks and fighting.") == []


def test_a_relative_that_fell_within_range_is_no_capture() -> None:
    assert changes("The rebels shelled Damascus, which fell within range of their guns after the offensive.") == []


def test_a_breakdown_with_its_own_relative_clause_keeps_the_main_verb() -> None:
    events = counts("At least 25 civilians including two who had been abducted were killed in Gao on Sunday.")
    assert [(e.category, e.count.min if e.count else None) for e in events] == [("killed", 25)]


def test_a_quoted_figure_opening_a_sentence_and_a_quoted_name_ending_the_text_are_read() -> None:
    events = counts('"More than 50,000 people" had fled the town after the rebels captured it, the UN said.')
    assert [(e.category, e.count.min if e.count else None) for e in events] == [("fled", 50001)]
    text = 'After heavy fighting the ministry said its army had liberated the villages of "Talish" and "Madagiz"'
    assert sorted(place for place, _ in changes(text)) == ["Madagiz", "Talish"]


def test_what_was_said_to_a_hearer_is_no_relative_clause() -> None:
    text = "A rebel spokesman told AFP that his fighters had captured an unnamed hill after fighting with troops."
    assert all("told" not in place for place, _ in changes(text))
