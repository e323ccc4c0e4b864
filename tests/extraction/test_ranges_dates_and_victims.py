"""A range whose scale is written once after its high end ('3 to 4 million', '1.5-2 million') scales both ends, also
after 'some'; the year of a date written with its day ('March 3, 1919, a crowd ...') is no count, while a count after a
month and a comma is ('In March 2022, 3000 civilians fled'); killings told as slaughter, people who 'became
refugees', and victims named by their calling ('intellectuals', 'lawyers') are counted; 'one of X's largest towns'
is no place an alert can name. Every sentence was written for these tests."""

from __future__ import annotations

from .conftest import changes, counts

WAR = "Troops and artillery fought for weeks. "


def spans(text: str) -> list[tuple[str | None, int | None, int | None]]:
    return [
        (e.category.value if e.category else None, e.count.min if e.count else None, e.count.max if e.count else None)
        for e in counts(text)
    ]


def test_a_scale_written_after_the_high_end_scales_both_ends() -> None:
    assert spans("Some 3 to 4 million Syrians sought refuge in Turkey and Lebanon.") == [("fled", 3_000_000, 4_000_000)]
    assert spans("Between 2 and 3 million people fled the fighting.") == [("fled", 2_000_000, 3_000_000)]
    assert spans("Some 1.5-2 million people fled the fighting.") == [("fled", 1_500_000, 2_000_000)]


def test_a_low_end_with_no_room_for_the_scale_keeps_its_value() -> None:
    assert spans("Between 500 and 2 million people fled the fighting.") == [("fled", 500, 2_000_000)]
    assert spans("Some 300-500 civilians fled the town.") == [("fled", 300, 500)]


def test_the_year_of_a_date_with_its_day_is_no_count() -> None:
    assert spans("On Monday, March 3, 1919, a crowd of villagers fled the valley.") == []
    assert spans("On March 3, 1919, 300 villagers fled the valley.") == [("fled", 300, 300)]


def test_a_count_after_a_month_and_a_comma_is_a_count() -> None:
    assert spans("In March 2022, 3000 civilians fled Mariupol.") == [("fled", 3000, 3000)]
    assert spans("During the march, 1200 protesters were killed by soldiers.") == [("killed", 1200, 1200)]


def test_killings_told_as_slaughter_are_killings() -> None:
    assert spans("Militiamen were seen slaughtering dozens of villagers near the well.") == [("killed", 24, 99)]


def test_people_who_became_refugees_fled() -> None:
    assert spans("By spring some 40,000 villagers had become refugees across the river.") == [("fled", 40_000, 40_000)]


def test_crowds_pouring_into_a_city_for_a_fair_are_no_refugees() -> None:
    assert spans("Thousands of merchants were pouring into the city for the annual fair.") == []


def test_victims_named_by_their_calling_are_civilians() -> None:
    assert spans("Death squads killed about 150 intellectuals and lawyers in the capital during the purge.") == [
        ("killed", 150, 150)
    ]


def test_one_of_a_regions_towns_is_no_place() -> None:
    assert changes(WAR + "Rebel fighters seized one of Darfur's largest towns on Friday.") == []
    assert [p for p, _ in changes(WAR + "Rebel fighters seized Nyala, one of the largest towns, on Friday.")] == [
        "Nyala"
    ]


def test_a_year_after_a_day_and_month_or_a_month_and_a_comma_is_no_count() -> None:
    assert spans("On 28 July, 1870, a column of refugees fled the town.") == []
    assert spans("In July, 1870, villagers fled the town.") == []
    assert spans("In May, 1500 refugees crossed the border.") == [("fled", 1500, 1500)]
