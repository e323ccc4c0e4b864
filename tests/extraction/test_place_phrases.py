"""The place-phrase grammar: descriptors stripped, facilities with their parent, lists, counted places."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import of_kind, run


def places_taken(text: str) -> list[tuple[str, str | None]]:
    return [(e.place.name, e.place.parent) for e in of_kind(run(text), EventKind.control_change) if e.place]


def test_a_description_before_the_name_is_not_part_of_the_place() -> None:
    for text in (
        "Islamic State militants seized the desert city of Palmyra on Thursday.",
        "The Syrian army recaptured the ancient town of Palmyra from the Islamic State group.",
    ):
        assert [name for name, _ in places_taken(text)] == ["Palmyra"], text


def test_spellings_and_descriptions_of_one_place_give_one_id() -> None:
    ids = set()
    for text in (
        "Islamic State militants seized the desert city of Palmyra on Thursday.",
        "Islamic State militants seized Tadmur on Thursday.",
        "Islamic State militants captured Palmyra, the monitor said.",
    ):
        ids |= {e.place.id for e in of_kind(run(text), EventKind.control_change) if e.place}
    assert ids == {"palmyra"}


def test_a_capital_in_apposition() -> None:
    found = places_taken("The rebels drove the government out of the capital Mogadishu in 1991.")
    assert [name for name, _ in found] == ["Mogadishu"]


def test_most_of_a_place_is_that_place() -> None:
    found = places_taken("Insurgents led by Hayat Tahrir al-Sham captured most of Aleppo within two days.")
    assert [name for name, _ in found] == ["Aleppo"]


def test_a_facility_is_named_with_its_parent_whatever_the_wording() -> None:
    first = of_kind(run("M23 rebels seized the airport in Goma on Monday."), EventKind.control_change)
    second = of_kind(run("M23 fighters took control of Goma airport."), EventKind.control_change)
    assert first and second
    assert first[0].place is not None and second[0].place is not None
    assert first[0].place.id == second[0].place.id
    assert first[0].place.parent == "Goma"
    assert "airport" in first[0].place.name


def test_each_listed_village_is_a_place() -> None:
    found = places_taken("The army said it had recaptured Kafr Nabudah, Hamamiyat and Tal Malah villages.")
    assert {name for name, _ in found} == {"Kafr Nabudah", "Hamamiyat", "Tal Malah"}


def test_counted_places_keep_their_number_and_parent() -> None:
    found = places_taken("Turkish-backed fighters captured 70 villages in Aleppo province last week.")
    assert found == [("70 villages", "Aleppo")]


def test_a_common_noun_is_never_a_place() -> None:
    for text in (
        "Rebels seized the building after a short battle.",
        "The militants took the eastern border after the troops left.",
        "Fighters captured an important town, the group said.",
    ):
        assert places_taken(text) == [], text


def test_names_listed_before_a_plural_place_noun_are_one_place_each() -> None:
    text = "The rebels seized the army's remaining posts in Sittwe's Kyaung Taung, Thit Pin and Ywar Thit wards."
    assert places_taken(text) == [("Kyaung Taung", "Sittwe"), ("Thit Pin", "Sittwe"), ("Ywar Thit", "Sittwe")]
    text = "Rebels captured the Tal Hamis, Tal Brak and Mabrouka villages of Hasakah province."
    assert [name for name, _ in places_taken(text)][:1] == ["Tal Hamis"] and len(places_taken(text)) == 3


def test_facilities_named_by_their_owner_or_after_a_possessive() -> None:
    found = places_taken("Militia fighters seized the barracks of the Border Guard Corps in Kassala overnight.")
    assert len(found) == 1 and "Border Guard Corps barracks" in found[0][0] and found[0][1]
    found = places_taken("Rebels took the junta's remaining bases in Lashio after a siege.")
    assert len(found) == 1 and found[0][0] == "Lashio base"
    found = places_taken("Rebels took the junta's last base in Lashio after a siege.")
    assert len(found) == 1 and found[0][0] == "Lashio base"
    found = places_taken("At dawn troops regained the headquarters of the State Broadcasting Corporation.")
    assert found and found[0][0] == "State Broadcasting Corporation headquarters"


def test_a_long_first_conjunct_does_not_hide_the_second() -> None:
    text = (
        "Insurgents said they had seized the headquarters of the Northern Logistics Command (NLC) Fifth Regiment and"
        " the base of the Border Guard Corps in Kassala."
    )
    assert any("Border Guard Corps" in name for name, _ in places_taken(text))


def test_a_second_place_coordinated_after_a_date() -> None:
    found = places_taken("The army took Gao on June 3, and Tessalit on June 9, officials said.")
    assert [name for name, _ in found] == ["Gao", "Tessalit"]
    found = places_taken("Soldiers entered and captured the provincial capital of Kidal.")
    assert [name for name, _ in found] == ["Kidal"]
    found = places_taken("The army captured Kidal on Tuesday, and President Goita said the war was over.")
    assert [name for name, _ in found] == ["Kidal"]


def test_part_of_a_place_is_marked_partial() -> None:
    events = of_kind(run("Rebel factions captured most of Idlib after a two-week offensive."), EventKind.control_change)
    assert [(e.place.name if e.place else None, e.extent) for e in events] == [("Idlib", "partial")]
    events = of_kind(run("Rebel factions captured large parts of the town of Saraqib."), EventKind.control_change)
    assert [e.extent for e in events] == ["partial"]
    events = of_kind(run("Rebel factions captured Saraqib on Friday."), EventKind.control_change)
    assert [e.extent for e in events] == ["whole"]
