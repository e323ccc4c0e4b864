from __future__ import annotations

from schemas.events import CivilianCategory as C

from .conftest import counts


def one(text: str) -> tuple[C | None, int | None, int | None, bool]:
    found = counts(text)
    assert len(found) == 1, [e.evidence.text for e in found]
    e = found[0]
    assert e.count is not None
    return e.category, e.count.min, e.count.max, e.count.exact


def test_estimated_trapped_is_inexact() -> None:
    assert one("Aid agencies think an estimated 6,500 civilians are still trapped in the old quarter.") == (
        C.trapped,
        6500,
        6500,
        False,
    )


def test_vague_hundreds_fleeing() -> None:
    assert one("Hundreds of frightened families were seen fleeing toward the river crossing.") == (
        C.fled,
        200,
        999,
        False,
    )


def test_at_least_killed() -> None:
    assert one("An air raid on a crowded market killed at least 14 civilians on Tuesday.") == (C.killed, 14, 14, False)


def test_more_than_is_open_ended() -> None:
    assert one("More than 150 civilians were wounded when shells hit the bakery queue.") == (
        C.wounded,
        151,
        None,
        False,
    )


def test_word_numbers_and_shared_noun() -> None:
    found = counts("The car bomb outside the school killed seven and injured twenty-three people.")
    got = sorted((e.category, e.count.min) for e in found if e.count)
    assert got == [(C.killed, 7), (C.wounded, 23)]


def test_passive_then_elliptic_second_figure() -> None:
    found = counts("Nine residents were killed and 31 wounded when rockets struck the camp.")
    got = sorted((e.category, e.count.min) for e in found if e.count)
    assert got == [(C.killed, 9), (C.wounded, 31)]


def test_displaced_millions_and_decimal_million() -> None:
    assert one("The war has displaced 2.4 million civilians from their homes.") == (
        C.displaced,
        2_400_000,
        2_400_000,
        True,
    )


def test_tens_of_thousands_besieged() -> None:
    assert one("Tens of thousands of civilians remain besieged in the eastern districts.") == (
        C.besieged,
        20000,
        99999,
        False,
    )


def test_evacuated_and_released() -> None:
    assert one("Buses evacuated 450 civilians from the encircled suburb overnight.") == (C.evacuated, 450, 450, True)
    assert one("The gunmen released 12 hostages from the bus on Sunday.") == (C.released, 12, 12, True)


def test_killed_and_wounded_as_one_figure_is_other() -> None:
    assert one("Shelling of the village left 40 civilians killed or wounded.") == (C.other, 40, 40, True)


def test_abducted_is_other() -> None:
    assert one("Militants abducted 25 villagers during the night raid.")[0] == C.other


def test_fighter_tolls_are_not_civilian() -> None:
    assert counts("Clashes on the front line killed 32 soldiers and 18 militants.") == []
    assert counts("At least 60 fighters died in the battle for the airbase.") == []


def test_people_in_combat_are_left_out_but_people_at_a_market_count() -> None:
    assert counts("Fierce fighting around the base killed 45 people, the monitor said.") == []
    assert one("A suicide bomber killed 19 people at a busy market in the town.")[:2] == (C.killed, 19)


def test_breakdown_by_children_is_not_separate() -> None:
    found = counts("The strike on the hospital killed 12 civilians, including five children.")
    assert [(e.category, e.count.min) for e in found if e.count] == [(C.killed, 12)]


def test_trapped_under_rubble_is_not_trapped() -> None:
    assert counts("Rescue teams said several people were trapped under the rubble of the building.") == []
    assert counts("Rescuers believe 11 residents are trapped under rubble after the strike.") == []


def test_mixed_toll_is_left_out() -> None:
    assert counts("The blast killed 30 people, including several soldiers and policemen.") == []


def test_whole_war_toll_is_left_out_but_displacement_is_kept() -> None:
    found = counts("Since 2011 the conflict has killed more than 400,000 people and displaced millions.")
    assert [(e.category, e.count.min) for e in found if e.count] == [(C.displaced, 2_000_000)]


def test_same_figure_twice_is_recorded_once() -> None:
    found = counts("Shelling killed 17 civilians in the market. The 17 civilians killed were buried on Friday.")
    assert len(found) == 1


def test_dates_and_units_are_not_counts() -> None:
    assert counts("On October 12 the siege of the city entered its 90 days as people fled.") == []
