from __future__ import annotations

from datetime import date

import pytest

from schemas.events import EventKind

from .conftest import controls, of_kind, run


def summary(text: str, published: date | None = date(2017, 10, 14)) -> list[tuple[str, str | None, str | None]]:
    return [
        (
            e.place.name if e.place else "",
            e.actor.id if e.actor else None,
            e.previous_actor.id if e.previous_actor else None,
        )
        for e in controls(text, published)
    ]


def test_actor_seized_place_from_previous() -> None:
    assert summary("Kurdish-led fighters seized the town of Tabqa from the Islamic State group on Monday.") == [
        ("Tabqa", "sdf", "islamic-state")
    ]


def test_government_regains_with_sub_event_type() -> None:
    found = controls("Syrian government forces regained control of Palmyra after a week of fighting.")
    assert [(e.place.name if e.place else "", e.acled_sub_event_type) for e in found] == [
        ("Palmyra", "Government regains territory")
    ]


def test_passive_and_fell_to() -> None:
    assert summary("Manbij was captured by the SDF in August.") == [("Manbij", "sdf", None)]
    assert summary("Palmyra fell to IS militants in May 2015.", date(2015, 6, 1)) == [
        ("Palmyra", "islamic-state", None)
    ]


def test_several_places_in_one_sentence() -> None:
    names = [p for p, _, _ in summary("Rebels captured Kafr Saghir, Tal Shair and Deir Jamal on Sunday.")]
    assert names == ["Kafr Saghir", "Tal Shair", "Deir Jamal"]


def test_sub_city_place_has_parent_and_path_id() -> None:
    found = controls("The SDF took the al-Nahda neighborhood in Raqqa on Saturday.")
    assert len(found) == 1 and found[0].place is not None
    assert (found[0].place.id, found[0].place.name, found[0].place.parent) == ("raqqa/al-nahda", "al-Nahda", "Raqqa")


def test_unknown_place_is_kept_unresolved() -> None:
    found = controls("Government troops recaptured the village of Umm Zanabeel overnight.")
    assert len(found) == 1 and found[0].place is not None
    assert found[0].place.name == "Umm Zanabeel" and not found[0].place.resolved and found[0].place.lat is None


def test_unknown_actor_gets_a_slug() -> None:
    found = controls("Mutinous guardsmen seized the radio station in Niamey on Wednesday.")
    assert len(found) == 1 and found[0].actor is not None
    assert found[0].actor.id == "mutinous-guardsmen"


def test_held_since_is_a_historical_change() -> None:
    found = controls("Tabqa, held by IS since 2014, is the next target.", date(2017, 3, 1))
    assert len(found) == 1 and found[0].actor is not None
    assert found[0].actor.id == "islamic-state"
    assert found[0].time.precision == "year" and found[0].time.date == date(2014, 1, 1)
    assert found[0].historical


def test_withdrawal_with_stated_new_controller() -> None:
    assert summary("The troops withdrew from Tal Rifaat, handing it over to the peacekeepers.")[0][:2] == (
        "Tal Rifaat",
        "peacekeepers",
    )


def test_withdrawal_without_new_controller_is_not_a_change() -> None:
    assert summary("The rebels withdrew from the hill after heavy shelling.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Government forces are trying to retake the town of Kobani.",
        "The army launched an assault to regain Deir ez-Zor.",
        "Iraqi troops are on the verge of capturing Mosul.",
        "The rebels advanced 5 km toward Aleppo.",
        "IS fighters broke into the eastern edge of the town.",
        "The SDF denied that it had captured the dam.",
        "Rebels did not capture the airport.",
        "Gunmen stormed the village and killed the mayor before leaving.",
        "Kidnappers seized a school and took the pupils hostage.",
        "Rebel-held eastern Ghouta remains under siege.",
        "The army is still in control of the airport.",
        "The coalition hopes to liberate Raqqa before winter.",
        "Troops could capture Tal Afar within days.",
    ],
)
def test_not_control_changes(text: str) -> None:
    assert controls(text) == []


def test_continuing_state_is_a_state_not_a_change() -> None:
    events = run("Shells fell on rebel-held Douma on Friday.")
    assert of_kind(events, EventKind.control_change) == []
    states = of_kind(events, EventKind.control_state)
    assert states and states[0].actor is not None and states[0].actor.id == "rebels"


def test_the_town_refers_back_to_the_last_named_place() -> None:
    found = controls("IS overran Qaryatayn in August. Syrian troops regained control of the town on Sunday.")
    assert [(e.place.name if e.place else "", e.actor.id if e.actor else "") for e in found] == [
        ("Qaryatayn", "syrian-government")
    ]


def test_generic_militants_bind_to_the_named_group() -> None:
    text = "Islamic State fighters attacked Kobani in June. The militants captured the town a day later."
    found = controls(text)
    assert found and found[0].actor is not None and found[0].actor.id == "islamic-state"
