from __future__ import annotations

import pytest

from workers.extraction.numbers import find_numbers


def first(text: str) -> tuple[int | None, int | None, bool, str | None]:
    nums = find_numbers(text.lower().split())
    assert nums, text
    n = nums[0]
    return n.min, n.max, n.exact, n.hedge


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,500 people", (12500, 12500, True, None)),
        ("100000 residents", (100000, 100000, True, None)),
        ("1.2 million refugees", (1_200_000, 1_200_000, True, None)),
        ("twenty-three villagers", (23, 23, True, None)),
        ("forty two families", (42, 42, True, None)),
        ("a dozen boys", (12, 12, True, None)),
        ("at least 21 civilians", (21, 21, False, "at least")),
        ("about 300 people", (300, 300, False, "about")),
        ("an estimated 4,000 residents", (4000, 4000, False, "an estimated")),
        ("more than 200 families", (201, None, False, "more than")),
        ("over 1.5 million people", (1_500_001, None, False, "over")),
        ("dozens of people", (24, 99, False, "dozens")),
        ("hundreds of families", (200, 999, False, "hundreds")),
        ("thousands of people", (2000, 9999, False, "thousands")),
        ("several thousand people", (2000, 9999, False, "several thousand")),
        ("tens of thousands of people", (20000, 99999, False, "tens of thousands")),
        ("millions of people", (2_000_000, 9_999_999, False, "millions")),
        ("one hundred and twenty-five people", (125, 125, True, None)),
        ("two thousand five hundred families", (2500, 2500, True, None)),
        ("half a million people", (500_000, 500_000, True, None)),
        ("more than a quarter of a million refugees", (250_001, None, False, "more than")),
        ("a million refugees", (1_000_000, 1_000_000, True, None)),
        ("fewer than 9,000 people", (None, 8999, False, "fewer than")),
        ("between 80 and several hundred people", (80, 999, False, "between")),
        ("30 to 45 villagers", (30, 45, False, "to")),
    ],
)
def test_number_grammar(text: str, expected: tuple[int | None, int | None, bool, str | None]) -> None:
    assert first(text) == expected


def test_no_number_in_plain_words() -> None:
    assert find_numbers("the town was quiet".split()) == []


@pytest.mark.parametrize("word", ["1e5", "1_000", "inf", "nan", "2²", "9" * 400])
def test_only_digits_make_a_figure(word: str) -> None:
    assert find_numbers(f"{word} people".split()) == []


def test_a_alone_is_no_number() -> None:
    assert find_numbers("a man and a woman".split()) == []


def test_rose_from_to_is_two_figures() -> None:
    assert [n.min for n in find_numbers("the toll rose from 12 to 20".split())] == [12, 20]


@pytest.mark.parametrize("text", ["between 2019 and 2023", "from 1992 to 1995", "2015 to 2016"])
def test_a_span_of_years_is_no_range(text: str) -> None:
    assert all(n.min == n.max for n in find_numbers(text.split())), text


def test_a_range_of_counts_is_kept() -> None:
    assert first("between 1500 and 2000 people") == (1500, 2000, False, "between")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300-500 people", (300, 500, False, "-")),
        ("about 300-500 people", (300, 500, False, "about")),
        ("a hundred and fifty people", (150, 150, True, None)),
        ("a thousand five hundred men", (1500, 1500, True, None)),
    ],
)
def test_dash_ranges_and_written_runs_after_a(
    text: str, expected: tuple[int | None, int | None, bool, str | None]
) -> None:
    assert first(text) == expected


@pytest.mark.parametrize("text", ["the 1914-1918 war", "the 1992-95 siege", "some 1.5-2 million people"])
def test_years_and_figures_before_their_scale_are_no_dash_range(text: str) -> None:
    assert not any(n.hedge == "-" for n in find_numbers(text.split()))
