"""A nationality's plural counted as people who fled, were evacuated or deported: civilians, as a people's name is.
Every sentence here was written for these tests."""

from __future__ import annotations

from .conftest import counts


def _counts(text: str) -> list[tuple[str, int | None]]:
    return [(e.category.value if e.category else "", e.count.min if e.count else None) for e in counts(text)]


def test_a_nationality_in_the_plural_that_fled_or_was_evacuated_is_counted() -> None:
    assert _counts("Some 45,000 Czechs were evacuated from Ostrava by rail in the winter of 1945.") == [
        ("evacuated", 45000)
    ]
    assert _counts("About 12,000 Hungarians fled across the border into Austria within a week.") == [("fled", 12000)]


def test_a_nationality_s_dead_or_surrendered_is_no_civilian_count_by_itself() -> None:
    assert _counts("Some 2,000 Czechs were killed in the battle for the ridge.") == []
    assert _counts("Two Britons were killed in a road crash near the border.") == []
