"""A surrender told twice in one report, the second time with a vaguer figure. Sentences written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import of_kind, run


def test_a_vaguer_figure_for_a_surrender_already_counted_is_the_same_surrender() -> None:
    text = (
        "Russia said 812 soldiers of Ukraine's 40th Brigade had surrendered in Avdiivka. "
        "A Chechen commander later said more than 800 Ukrainian troops had surrendered."
    )
    found = of_kind(run(text), EventKind.surrender)
    assert [e.count.min for e in found if e.count] == [812]
    text = "Sudan's army said 120 RSF fighters surrendered in Omdurman. In Bahri, about 40 RSF fighters surrendered."
    assert sorted(e.count.min for e in of_kind(run(text), EventKind.surrender) if e.count) == [40, 120]
