"""Place phrases of any country: names with lower-case particles, a described place with its name in apposition,
posts described by who keeps them, and a place referred back to. Every sentence here was written for these tests
(the events may be real)."""

from __future__ import annotations

import pytest

from .conftest import changes, controls


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Guerrillas captured San Vicente del Caguán after a week of fighting.", "San Vicente del Caguán"),
        ("Insurgents took Mocímboa da Praia in August 2020.", "Mocímboa da Praia"),
        ("Smugglers' militias seized Ciudad del Este for a night.", "Ciudad del Este"),
    ],
)
def test_a_name_with_lower_case_particles_is_read_whole(text: str, place: str) -> None:
    assert [p for p, _ in changes(text)] == [place], changes(text)


def test_a_possessor_and_a_description_before_an_apposed_name_give_the_name_alone() -> None:
    got = changes("Rebel forces captured Syria's second-largest city, Aleppo, after a lightning offensive.")
    assert [p for p, _ in got] == ["Aleppo"], got


@pytest.mark.parametrize(
    ("text", "name", "parent"),
    [
        ("Jihadists seized the Nigerien army post at Tillia on Monday.", "Tillia post", "Tillia"),
        ("Gunmen took over a gendarmerie base in Djibo overnight.", "Djibo base", "Djibo"),
        ("Rebels seized the Russian air base at Hmeimim.", "Hmeimim airbase", "Hmeimim"),
    ],
)
def test_a_post_described_by_who_keeps_it_is_a_facility_of_its_place(text: str, name: str, parent: str) -> None:
    found = controls(text)
    assert [(e.place.name, e.place.parent) for e in found if e.place] == [(name, parent)], found


@pytest.mark.parametrize(
    "text",
    [
        "Tuareg fighters reached Kidal on Friday. By evening the town was in their hands.",
        "Tuareg fighters reached Kidal on Friday. The town fell into their hands on Saturday.",
        "Tuareg fighters advanced on Kidal. The regional capital fell on Sunday.",
    ],
)
def test_a_place_referred_back_to_takes_the_side_of_the_sentence_before(text: str) -> None:
    got = changes(text)
    assert [p for p, _ in got] == ["Kidal"] and "tuareg" in got[0][1].lower(), got


def test_their_hands_without_a_side_before_is_no_change() -> None:
    assert changes("Farmers kept their land. The fields stayed in their hands.") == []


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Hodeidah has been under Houthi control since 2015.", "Hodeidah"),
        ("Kupiansk was recaptured by Ukrainian forces in September.", "Kupiansk"),
    ],
)
def test_a_respelt_name_as_the_subject_of_a_change_is_read(text: str, place: str) -> None:
    assert [p for p, _ in changes(text)] == [place], changes(text)


def test_a_person_as_the_subject_is_no_respelt_place() -> None:
    assert changes("Mohammed was captured by the rebels near the border.") == []


def test_a_described_conjunct_with_its_own_name_is_a_second_place() -> None:
    assert [p for p, _ in changes("Rebels took Bunia and the nearby town of Mahagi on Sunday.")] == ["Bunia", "Mahagi"]
    assert [p for p, _ in changes("Rebels took Bunia and the surrounding villages.")] == ["Bunia"]


def test_places_taken_one_after_another_are_each_a_place() -> None:
    assert [p for p, _ in changes("The army retook Konna, then Diabaly, then Douentza.")] == [
        "Konna",
        "Diabaly",
        "Douentza",
    ]
    assert [p for p, _ in changes("The army retook Konna, then advanced north.")] == ["Konna"]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        (
            "Federal troops took Fort Donelson, some 70 miles from Nashville, and Fort Henry in February 1862.",
            ["Fort Donelson", "Fort Henry"],
        ),
        ("Jihadists seized Boni, 90 km east of the regional capital, and Hombori.", ["Boni", "Hombori"]),
        ("The army retook Mosul, the provincial capital, and Tal Afar in 2017.", ["Mosul", "Tal Afar"]),
        ("Rebels captured the town of Walikale and, on Tuesday, the village of Pinga.", ["Walikale", "Pinga"]),
    ],
)
def test_a_list_of_places_goes_on_past_an_aside_between_commas(text: str, places: list[str]) -> None:
    assert [place for place, _ in changes(text)] == places


def test_an_aside_that_is_a_clause_ends_the_list() -> None:
    said = "Rebels captured Mekelle, the Tigray capital, and the government said the airport was shut."
    assert [place for place, _ in changes(said)] == ["Mekelle"]
    went_on = "The army retook Mosul, the provincial capital, and then moved west."
    assert [place for place, _ in changes(went_on)] == ["Mosul"]


def test_a_parenthesis_after_a_verb_is_no_place() -> None:
    assert changes("The rebels lost the villages they captured (in the spring) and fell back.") == []


def test_names_listed_after_an_administrative_unit_in_the_possessive() -> None:
    text = "Resistance forces captured Falam township's Lungpi and Zathal villages on Sunday."
    assert [place for place, _ in changes(text)] == ["Lungpi", "Zathal"]
    parents = {e.place.name: e.place.parent for e in controls(text) if e.place}
    assert parents == {"Lungpi": "Falam township", "Zathal": "Falam township"}


def test_a_common_noun_located_in_a_place_is_no_place_without_a_place_head() -> None:
    assert changes("The Croats won the final and took the trophy in Zagreb.") == []
    assert changes("General Odierno said the surge had taken Baghdad's violence down sharply.") == []
    assert [p for p, _ in changes("Serbian troops seized several sites inside Vukovar.")] == ["sites"]
    assert [p for p, _ in changes("SDF fighters seized the al-Nahda district of Raqqa on Saturday.")] == ["al-Nahda"]


def test_a_name_with_its_own_verb_after_a_list_is_a_new_clause() -> None:
    assert [p for p, _ in changes("Rebels captured Goma and Kigali denied any role.")] == ["Goma"]
    assert [p for p, _ in changes("Rebels captured Goma, the provincial capital, and Kinshasa vowed revenge.")] == [
        "Goma"
    ]
    assert [p for p, _ in changes("The army took Kidal on the 2nd and Bamako welcomed the news.")] == ["Kidal"]
