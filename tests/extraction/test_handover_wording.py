"""A place left to a side, an entry after a withdrawal told before it, and a place secured. Every sentence here was
written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from .conftest import changes, controls


@pytest.mark.parametrize(
    ("text", "place", "taker"),
    [
        ("Government troops left Jalalabad to the mujahideen after the talks failed.", "Jalalabad", "mujahideen"),
        ("The garrison abandoned Kidal to the Tuareg rebels overnight.", "Kidal", "tuareg"),
    ],
)
def test_a_place_left_to_a_side_passes_to_it(text: str, place: str, taker: str) -> None:
    found = controls(text, None)
    assert [e.place.name for e in found if e.place] == [place], found
    assert found[0].actor is not None and taker in found[0].actor.name.lower(), found[0].actor


@pytest.mark.parametrize(
    "text",
    [
        "The rebels left 14 people dead in Beni.",
        "The army left Goma for the front line.",
        "The delegation left Geneva to brief the council.",
        "The delegation left Kabul to the applause of supporters.",
    ],
)
def test_leaving_without_a_side_taking_over_is_no_change(text: str) -> None:
    assert changes(text) == [], changes(text)


@pytest.mark.parametrize(
    "text",
    [
        "Russia completed its withdrawal from Kherson on Thursday. Ukrainian troops entered the city on Friday.",
        "After the Russian retreat from Izium, Ukrainian soldiers entered the town.",
    ],
)
def test_an_entry_after_a_withdrawal_told_before_it_is_a_takeover(text: str) -> None:
    found = controls(text, None)
    assert len(found) == 1 and found[0].actor is not None and found[0].actor.id == "ukrainian-forces", found
    assert found[0].previous_actor is not None and found[0].previous_actor.id == "russia"


def test_an_entry_alone_or_by_the_side_that_left_is_no_takeover() -> None:
    assert changes("Ukrainian troops entered Kherson on Friday.") == []
    assert changes("After the Russian retreat from Izium, Russian soldiers entered the town again.") == []


def test_a_named_place_secured_by_an_armed_side_is_taken_but_not_one_made_safe() -> None:
    assert [p for p, _ in changes("Paratroopers secured Hostomel airfield before dawn.")] == ["Hostomel airfield"]
    assert changes("Police secured the airport in Kabul after the bomb threat.") == []
    assert changes("The envoy secured a deal in Doha.") == []
    assert changes("Marines secured the release of the hostages in Mogadishu.") == []


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Serbian troops entered Skopje unopposed in October 1912.", "Skopje"),
        ("Eritrean troops entered Adigrat without a fight.", "Adigrat"),
        ("The Red Army entered Riga, which the Germans had abandoned a day earlier.", "Riga"),
        ("American troops took possession of Manila in February 1945.", "Manila"),
        ("Kurdish fighters said they now held the whole of Tal Abyad.", "Tal Abyad"),
        ("The Taliban were in full control of Ghazni after three days of fighting.", "Ghazni"),
        ("By nightfall the insurgents were in control of Tal Afar.", "Tal Afar"),
        ("The rebels gained the town of Bor after heavy fighting.", "Bor"),
        ("Kut capitulated to the Ottoman army in April 1916.", "Kut"),
    ],
)
def test_more_wordings_of_a_takeover(text: str, place: str) -> None:
    assert [p for p, _ in changes(text)] == [place], changes(text)


@pytest.mark.parametrize(
    "text",
    [
        "The rebels gained ground near Goma.",
        "The party gained seats in Kabul.",
        "Troops entered Goma on patrol and left again by evening.",
        "Russia annexed four regions it did not fully control.",  # an annexation is a claim, not a takeover
        "The Taliban were in control of Kandahar for five years.",
    ],
)
def test_wordings_that_take_nothing(text: str) -> None:
    assert changes(text) == [], changes(text)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Rwandan troops took the Congolese capital in 1997.", "Kinshasa"),
        ("Rebels seized Liberia's capital in 1990.", "Monrovia"),
        ("French paratroopers retook the capital of Chad in 1979.", "N'Djamena"),
        ("The garrison pulled out overnight, leaving Konitsa to the guerrillas.", "Konitsa"),
        ("The army chief said troops had cleared Mingora.", "Mingora"),
        ("Harbin, which the Soviet armies had taken without a fight, was calm.", "Harbin"),
    ],
)
def test_a_country_s_capital_a_place_left_behind_a_town_cleared(text: str, place: str) -> None:
    assert place in [p for p, _ in changes(text)], changes(text)


@pytest.mark.parametrize(
    "text",
    ["Sappers cleared Bakhmut of mines.", "Workers cleared the road to Kabul.", "They left Goma to its fate."],
)
def test_clearing_and_leaving_that_take_nothing(text: str) -> None:
    assert changes(text) == [], changes(text)


def test_the_country_s_capital_is_the_capital_of_the_one_country_the_report_names() -> None:
    got = changes("Somalia's civil war widened. Islamist fighters seized the country's capital in June 2006.")
    assert [p for p, _ in got] == ["Mogadishu"], got


def test_a_by_agent_after_a_long_apposition_is_the_taker() -> None:
    got = changes("The insurgents were driven out of Palma, a gas hub near the Tanzanian border, by Rwandan troops.")
    assert got == [("Palma", "Rwanda Defence Force")], got


@pytest.mark.parametrize(
    "text",
    [
        "Riot police cleared Maidan in Kyiv before dawn.",
        "Riot police entered Mong Kok unopposed after the protesters left.",
        "Soldiers entered Kinshasa's stadium without a fight to guard the match.",
        "Rebels captured the deputy of Kassala province.",
        "Union troops seized the Georgia capital, Milledgeville, in 1864.",
    ],
)
def test_police_work_stadiums_officials_and_named_capitals(text: str) -> None:
    got = changes(text)
    assert all(p not in ("Maidan", "Mong Kok", "Kinshasa stadium", "Kassala", "Tbilisi") for p, _ in got), got


def test_the_side_that_left_is_the_one_told_leaving_this_place() -> None:
    found = controls(
        "Wagner mercenaries pulled out of Mali in June, and after the army's retreat from Kidal, Tuareg rebels "
        "entered the town.",
        None,
    )
    assert len(found) == 1 and found[0].previous_actor is not None and found[0].previous_actor.id == "fama", found


def test_a_title_word_that_describes_a_building_is_no_person() -> None:
    assert [p for p, _ in changes("Kurdish fighters seized the general hospital in Raqqa.")] == ["general hospital"]
