"""Captures told inside another clause, and sentences broken across lines. Every sentence here was written for these
tests (the events may be real)."""

from __future__ import annotations

import pytest

from workers.extraction.sentences import sentence_spans

from .conftest import changes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Having taken Kalewa, the resistance fighters pushed west toward the river.",
            ("Kalewa", "resistance fighters"),
        ),
        (
            "The militia, having seized Kisangani in 1997, later handed it to the new government.",
            ("Kisangani", "militia"),
        ),
        (
            "Occupied by German troops in 1940, Narvik was freed by the Allies later that year.",
            ("Narvik", "German forces"),
        ),
        ("The rebels went on to take Bambari and Bria before the rains.", ("Bambari", "Rebels")),
        ("Government forces moved on Marawi, which they seized after five months.", ("Marawi", "Filipino")),
    ],
)
def test_a_capture_inside_an_adjunct_or_a_relative_clause(text: str, expected: tuple[str, str]) -> None:
    got = changes(text)
    place, actor = expected
    assert any(p == place and actor.lower() in a.lower() for p, a in got), (text, got)


def test_a_besieged_town_that_fell_some_days_later_falls_to_the_besiegers() -> None:
    got = changes("Jihadist fighters besieged Djibo for a month. The town fell three weeks later.")
    assert [p for p, _ in got] == ["Djibo"], got


@pytest.mark.parametrize(
    "text",
    [
        "The rebels tried to go on to take Bambari.",
        "Having lost Kalewa, the army regrouped.",  # a loss, not a capture by the subject
        "Bakhmut fell the same way as its neighbours had.",
    ],
)
def test_no_capture_is_read_into_these(text: str) -> None:
    assert changes(text) == [], (text, changes(text))


def test_a_line_break_that_only_wraps_a_sentence_does_not_end_it() -> None:
    text = "The insurgents said on Friday that they had\ncaptured the district centre of Tessit.\nA second line starts here."
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == [
        "The insurgents said on Friday that they had\ncaptured the district centre of Tessit.",
        "A second line starts here.",
    ]
    assert changes(text) == [("Tessit", "Rebels")] or [p for p, _ in changes(text)] == ["Tessit"]


def test_a_line_break_after_a_title_or_a_full_stop_still_ends_a_sentence() -> None:
    text = "Fighting in the north\nRebels seized the town of Kidal on Sunday.\nthe army denied it."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Fighting in the north",
        "Rebels seized the town of Kidal on Sunday.",
        "the army denied it.",
    ]


def test_a_fronted_gerund_adjunct_takes_the_subject_after_its_comma() -> None:
    assert changes("After taking Mosul, Islamic State fighters moved south towards Baghdad.") == [
        ("Mosul", "Islamic State")
    ]


def test_a_hedged_count_of_places_keeps_the_names_given_for_it() -> None:
    got = changes("Government troops retook more than 30 villages, including Bama and Gwoza.")
    assert [p for p, _ in got] == ["Bama", "Gwoza"], got


def test_an_unnamed_unit_before_which_then_and_numbered_hills() -> None:
    got = changes("The 4th Brigade, which then captured Hill 304 and Hill 295, dug in on the ridge.")
    assert got == [("Hill 304", "4th Brigade"), ("Hill 295", "4th Brigade")], got


def test_a_numbered_division_is_the_side() -> None:
    assert changes("The 29th Division captured Gallipoli town after a long fight.")[0][1] == "29th Division"


def test_a_named_side_inside_a_relative_s_antecedent_wins() -> None:
    got = changes("Kurdish YPG forces, which then recaptured Tal Abyad, pushed south.")
    assert got and "YPG" in got[0][1] and got[0][1] != "Kurdish YPG forces", got
