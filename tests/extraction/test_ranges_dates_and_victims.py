"""A range whose scale is written once after its high end ('5 to 6 million', '1.5-2 million') scales both ends; a
year after a month and day ('July 28, 1870, a column ...') is no count; killings told as slaughter, refugees told
as 'became refugees' or 'pouring into' a town, and victims named by their calling ('intellectuals', 'lawyers') are
counted; 'one of the country's main cities' is no place an alert can name. Every sentence was written for these
tests."""

from __future__ import annotations

from .conftest import changes, counts


def spans(text: str) -> list[tuple[str | None, int | None, int | None]]:
    return [
        (e.category.value if e.category else None, e.count.min if e.count else None, e.count.max if e.count else None)
        for e in counts(text)
    ]


def test_a_scale_written_after_the_high_end_scales_both_ends() -> None:
    assert spans("Another 5 to 6 million Afghans have become refugees in neighbouring countries.") == [
        ("fled", 5_000_000, 6_000_000)
    ]
    assert spans("Between 2 and 3 million people fled the fighting.") == [("fled", 2_000_000, 3_000_000)]
    assert spans("Some 1.5-2 million people fled the fighting.") == [("fled", 1_500_000, 2_000_000)]


def test_a_low_end_with_no_room_for_the_scale_keeps_its_value() -> None:
    assert spans("Between 500 and 2 million people fled the fighting.") == [("fled", 500, 2_000_000)]
    assert spans("Some 300-500 civilians fled the town.") == [("fled", 300, 500)]


def test_the_year_of_a_written_date_is_no_count() -> None:
    assert spans("On Friday, July 28, 1870, a column of refugees fled the town.") == []
    assert spans("In July, 1870, a column of refugees fled the town.") == []
    assert spans("On July 28, 1870, 300 villagers fled the town.") == [("fled", 300, 300)]


def test_killings_told_as_slaughter_are_killings() -> None:
    assert spans("Soldiers were reported slaughtering hundreds of civilians in the town.") == [("killed", 200, 999)]


def test_people_pouring_into_a_town_fled() -> None:
    assert spans("The shelling sent thousands of panic-stricken civilians pouring into the capital.") == [
        ("fled", 2000, 9999)
    ]


def test_victims_named_by_their_calling_are_civilians() -> None:
    assert spans("Gunmen killed more than 200 intellectuals in the capital during the crackdown.") == [
        ("killed", 201, None)
    ]
    assert spans("Militiamen shot 14 lawyers and clergymen outside the courthouse.") == []  # no category verb
    assert spans("Militiamen killed 14 lawyers and clergymen outside the courthouse.") == [("killed", 14, 14)]


def test_one_of_a_countrys_cities_is_no_place() -> None:
    assert changes("Taliban fighters captured one of Afghanistan main cities on Friday after heavy fighting.") == []
    assert [p for p, _ in changes("Taliban fighters captured Kunduz, one of the main cities, on Friday.")] == ["Kunduz"]
