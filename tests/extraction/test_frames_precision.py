"""Precision of control frames on wording of today's wars: datelines, described places, regions named only to
place a town. Every sentence here was written for these tests."""

from __future__ import annotations

from schemas.events import EventKind

from .conftest import changes, of_kind, run


def test_a_dateline_city_is_not_what_it_refers_to() -> None:
    assert changes("NAIROBI (Reuters) - The camp emptied soon after the gunmen had seized it.") == []
    assert changes("Nairobi — The town fell to the militia on Sunday, residents said.") == []
    assert changes("BANGKOK, March 3, 2024 (AFP) - It was captured by the rebels overnight.") == []


def test_a_dateline_capital_does_not_decide_whose_army_it_is() -> None:
    found = changes("CAIRO (AFP) - Sudan's army said it had retaken Omdurman. The city fell to the army in March.")
    assert found and all("Sudan" in actor for _, actor in found)


def test_a_dateline_still_leaves_the_places_of_the_story() -> None:
    found = changes("KHARTOUM (Reuters) - Rebels seized the town of Kadugli on Friday.")
    assert [p for p, _ in found] == ["Kadugli"]


def test_a_people_before_a_described_place_is_no_place_name() -> None:
    assert changes("Officials said the army has taken an Afar rebel stronghold in the east.") == []
    found = changes("The army retook the rebel stronghold of Tessalit on Monday.")
    assert [p for p, _ in found] == ["Tessalit"]


def test_a_region_named_to_place_a_town_is_not_the_place_taken() -> None:
    found = changes("Shops reopened in Lashio, a northern Shan State town that came under the control of the rebels.")
    assert [p for p, _ in found] == ["Lashio"]
    assert changes("Russian forces captured the Zaporizhzhia region village on Tuesday, officials said.") == []
    found = changes("Russian forces captured the Donetsk region town of Toretsk.")
    assert [p for p, _ in found] == ["Toretsk"]


def test_the_town_never_refers_back_to_a_region() -> None:
    text = "Rebels advanced across Sagaing region. By Sunday they had taken complete control of the town."
    assert changes(text) == []


def test_forces_from_a_region_are_that_region_s_forces() -> None:
    found = changes("Fighters from Somalia's Jubaland region took control of Bardera on Sunday, residents reported.")
    assert found and found[0][0] == "Bardera" and "Jubaland" in found[0][1]
    found = changes("Fighters from the Amhara region captured the town of Sekota on Monday.")
    assert found and found[0][1] == "Amhara forces"


def test_a_country_subject_of_any_past_verb_is_its_forces() -> None:
    text = "Cheering crowds met Georgian soldiers in the middle of Gori after Russia abandoned the town."
    found = changes(text)
    assert found and found[0][0] == "Gori" and "Georgia" in found[0][1]


def test_liberated_without_agent_belongs_to_the_side_that_says_so() -> None:
    found = changes(
        "\u201cThe village of Krasnohorivka has been fully liberated,\u201d the Russian defence ministry said."
    )
    assert found and found[0][0] == "Krasnohorivka" and "Russia" in found[0][1]
    text = (
        "Russia's defence ministry gave no figures. The village of Krasnohorivka has been liberated, the ministry said."
    )
    found = changes(text)
    assert found and "Russia" in found[0][1]
    assert changes("The village of Krasnohorivka has been liberated, residents said.") == []
    assert changes("The village of Krasnohorivka is being liberated, the Russian defence ministry said.") == []


def test_a_facility_keeps_its_name_across_a_word_for_what_it_makes() -> None:
    found = changes("Russian forces captured the Avdiivka coke plant on Saturday.")
    assert found and found[0][0].endswith("plant") and found[0][0].startswith("Avdi")
    found = changes("Iraqi troops retook the Baiji oil refinery.")
    assert found and found[0][0] == "Baiji refinery"


def test_a_relative_clause_with_auxiliaries_takes_its_antecedent_as_subject() -> None:
    text = "Loyalist units are pushing into Saada against Houthi gunmen who have controlled it since 2011."
    found = changes(text)
    assert found and "Houthi" in found[0][1]


def test_counted_places_after_an_area_are_the_places_taken() -> None:
    found = changes("Ukrainian troops advanced, seizing 900 square kilometres of territory, 61 settlements.")
    assert [p for p, _ in found] == ["61 settlements"]
    assert changes("Ukrainian troops captured 900 square kilometres of land.") == []


def test_a_country_after_in_is_where_the_subject_is_not_the_subject() -> None:
    found = changes("Kurdish fighters in northern Iraq have seized the village of Gwer, a commander said.")
    assert found and "Iraq" not in found[0][1]
    found = changes("Wagner mercenaries in central Mali took the town of Boni on Friday.")
    assert found and found[0][1] != "Malian forces"


def test_a_pledge_to_take_a_place_is_no_change() -> None:
    assert changes("The paramilitary pledged to keep fighting until it liberates every inch of Kordofan.") == []
    assert changes("Its leader promised to recapture Kadugli within a month.") == []


def test_an_unknown_place_keeps_one_id_in_a_report() -> None:
    text = (
        "Russian troops captured the village of Ostrivka in the Donetsk region, Moscow said. "
        "The ministry said its units had captured Ostrivka after a week of fighting."
    )
    ids = {e.place.id for e in of_kind(run(text), EventKind.control_change) if e.place is not None}
    assert len(ids) == 1


def test_holding_a_meeting_is_no_hold_of_a_place() -> None:
    assert changes("Militia leaders held a rally in Bentiu on Sunday after families fled the fighting.") == []
    found = changes("The militia has held the Bentiu oil field since 2022, residents say.")
    assert found and "Bentiu" in found[0][0]
