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
