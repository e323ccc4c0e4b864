from __future__ import annotations

from schemas.events import EventKind

from .conftest import of_kind, run


def test_completed_surrender_with_count_and_recipient() -> None:
    found = of_kind(
        run("Local officials said 100 IS fighters surrendered to the U.S.-backed forces on Friday."),
        EventKind.surrender,
    )
    assert len(found) == 1
    e = found[0]
    assert e.actor is not None and e.actor.id == "islamic-state"
    assert e.count is not None and e.count.min == 100
    assert e.to is not None and e.to.id in ("u-s-backed-forces", "sdf")


def test_surrender_without_count() -> None:
    found = of_kind(run("The besieged rebels surrendered to government troops after the talks."), EventKind.surrender)
    assert len(found) == 1 and found[0].count is None and found[0].actor is not None


def test_intentions_are_not_surrenders() -> None:
    for text in (
        "Some 300 militants are ready to surrender to the army.",
        "The commander urged the gunmen to surrender.",
        "The fighters refused to surrender.",
    ):
        assert of_kind(run(text), EventKind.surrender) == [], text


def surrenders(text: str) -> list[tuple[str | None, int | None]]:
    return [
        (e.actor.name if e.actor else None, e.count.min if e.count else None)
        for e in of_kind(run(text), EventKind.surrender)
    ]


def test_count_of_a_unit_with_a_breakdown_aside() -> None:
    got = surrenders(
        "The ministry said 640 soldiers of the 12th Rifle Brigade, including 40 officers, had surrendered."
    )
    assert got == [("12th Rifle Brigade", 640)]


def test_laid_down_their_arms_with_count() -> None:
    assert surrenders("Officials said 75 gunmen laid down their arms near the dam.") == [("gunmen", 75)]


def test_bare_group_binds_to_an_earlier_surrender_and_takes_the_count_after() -> None:
    got = surrenders(
        "The army said the last unit of Ardanian fighters in the fortress had surrendered. "
        "Guards searched them at the gate. "
        "The group that surrendered numbered 212 people, it added."
    )
    assert got == [("Ardanian fighters", 212)]


def test_surrender_of_a_proper_name() -> None:
    assert surrenders("The offensive ended with the surrender of the breakaway Republic of Westland.") == [
        ("Republic of Westland", None)
    ]


def test_possessor_is_not_the_one_surrendering_and_units_are_no_head_count() -> None:
    assert surrenders("Staff at the regime's Northern Regional Command surrendered to the rebels.") == [
        ("Northern Regional Command", None)
    ]
    assert surrenders("Three army battalions under the Eastern Command surrendered on Monday.") == [
        ("Eastern Command", None)
    ]


def test_handing_over_a_place_is_not_a_surrender_of_people() -> None:
    assert surrenders("The garrison surrendered its headquarters to the rebels.") == []
