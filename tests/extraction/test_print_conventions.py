"""Conventions of printed and scanned text: words split by a hyphen at a line's end, and a story's first words
set in capitals. Offsets into the report stay exact. Every sentence here was written for these tests."""

from __future__ import annotations

from workers.extraction.lexicons import load
from workers.extraction.textnorm import clean

from .conftest import controls


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(e.place.name, e.actor.id) for e in controls(text) if e.place is not None and e.actor is not None]


def test_a_word_split_at_a_line_end_is_joined_and_evidence_points_into_the_original() -> None:
    text = "After a siege of six weeks, Nationalist troops cap-\ntured the port of Santander in August 1937."
    found = controls(text)
    assert [e.place.name for e in found if e.place] == ["Santander"]
    evidence = found[0].evidence
    assert text[evidence.start : evidence.end] == evidence.text and evidence.text.startswith("cap-\ntured")


def test_a_compound_split_at_a_line_end_keeps_its_hyphen() -> None:
    cleaned = clean(
        "The Franco-\nPrussian war, the twenty-\nfive towns and a pro-\ngovernment militia", load().is_name
    ).text
    assert "Franco-Prussian" in cleaned and "twenty-five" in cleaned and "pro-government" in cleaned


def test_a_word_split_by_the_printer_is_joined_whatever_its_frequency_and_line_end() -> None:
    assert _pairs("Government troops recap-\ntured Kidal on Monday.") == [("Kidal", "government-troops")] or [
        p for p, _ in _pairs("Government troops recap-\ntured Kidal on Monday.")
    ] == ["Kidal"]
    assert [p for p, _ in _pairs("The army re-\r\ntook Kidal from the rebels.")] == ["Kidal"]


def test_a_lead_in_in_capitals_reads_as_ordinary_case_with_names_kept() -> None:
    lex = load()
    assert clean("MILITIAMEN STORMED the border post at Kasindi.", lex.is_name).text.startswith(
        "Militiamen stormed the"
    )
    assert clean("IS FIGHTERS seized Palmyra.", lex.is_name).text.startswith("IS fighters seized")
    assert clean("GOVERNMENT TROOPS RETOOK Kidal.", lex.is_name).text.startswith("Government troops retook Kidal")
    assert clean("KABUL FELL to the Taliban on Sunday.", lex.is_name).text.startswith("Kabul fell to")
    assert clean("THE FIGHTERS OF THE SDF seized the dam.", lex.is_name).text.startswith("The fighters of the SDF")
    text = "TALIBAN FIGHTERS SEIZED the northern city of Kunduz on Monday."
    assert _pairs(text) == [("Kunduz", "taliban")]
    cleaned = clean(text, lex.is_name)
    assert len(cleaned.text) == len(text)  # case changes keep every offset


def test_a_headline_wholly_in_capitals_is_left_alone() -> None:
    text = "THE CITY FELL TO THE REBELS ON SUNDAY"
    assert clean(text, load().is_name).text == text


def test_a_compound_whose_second_part_is_a_participle_keeps_its_hyphen_across_a_line() -> None:
    cleaned = clean("Shells hit the rebel-\nheld town and the army-\nbacked militia.", load().is_name).text
    assert "rebel-held" in cleaned and "army-backed" in cleaned
