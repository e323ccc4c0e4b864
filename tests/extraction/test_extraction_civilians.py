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
    assert one("Aid agencies think an estimated 6,500 residents are trapped inside the old quarter.") == (
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


def cats(text: str) -> list[tuple[C | None, int | None, int | None]]:
    return sorted(
        ((e.category, e.count.min, e.count.max) for e in counts(text) if e.count), key=lambda t: (str(t[0]), t[1] or 0)
    )


def test_people_moved_to_a_place_are_displaced() -> None:
    assert cats("Some 12,000 people moved to the border town last week.") == [(C.displaced, 12000, 12000)]


def test_attributive_category_when_no_verb_governs() -> None:
    assert cats("About 3,500 displaced people reached the district capital this week.") == [(C.displaced, 3500, 3500)]
    assert cats("The province hosts over 1.5 million internally displaced persons.") == [(C.displaced, 1_500_001, None)]


def test_camp_that_houses_people_counts_displaced_only_for_camps() -> None:
    assert cats("The camp, which sheltered nearly 20,000 people before the attack, is now empty.") == [
        (C.displaced, 20000, 20000)
    ]
    assert cats("The school, which houses 300 pupils, was closed for the holidays.") == []


def test_safe_passage_is_evacuation() -> None:
    assert cats("The agency arranged safe passage for more than 2,000 civilians out of the city.") == [
        (C.evacuated, 2001, None)
    ]


def test_hiding_is_trapped() -> None:
    assert cats("Dozens of civilians were hiding in the basement of the hospital.") == [(C.trapped, 24, 99)]


def test_fewer_than_managed_to_leave() -> None:
    assert cats("Rescuers said fewer than 5,000 managed to leave before the roads closed.") == [(C.fled, None, 4999)]


def test_leaving_in_an_evacuation_is_evacuated() -> None:
    assert cats("After the evacuation began, officials counted 120 as having left the plant.") == [
        (C.evacuated, 120, 120)
    ]


def test_hostages_still_held_are_other_and_handed_over_are_released() -> None:
    assert cats("Nineteen hostages remain in captivity, their families said.") == [(C.other, 19, 19)]
    assert cats("A second group of five hostages was transferred at the border crossing.") == [(C.released, 5, 5)]


def test_bodies_returned_are_not_a_toll() -> None:
    assert cats("The draft deal provides for the return of 12 bodies and the release of prisoners.") == []


def test_tolls_at_a_military_base_or_mostly_civilian_are_mixed() -> None:
    assert cats("An attack on an army base near the town left at least 30 dead.") == []
    assert cats("The raid on the town killed about 80 people, mostly civilians.") == []


def test_national_death_toll_is_left_out() -> None:
    assert cats("The Ukrainian death toll has passed 40,000, the ministry said.") == []


def test_people_killed_by_an_armed_actor_are_civilians() -> None:
    assert cats("Four people were killed by militiamen on Sunday.") == [(C.killed, 4, 4)]
    assert cats("Four people were killed on Sunday.") == []


def test_demonym_subject_with_an_aside_and_reference_marker() -> None:
    assert cats(
        "Over 40,000 ethnic Armenians, almost the whole population of the enclave,[3] had fled by October."
    ) == [(C.fled, 40001, None)]


def test_percentages_are_not_counts() -> None:
    assert cats("Nearly 90% of displaced families are staying with relatives.") == []


def test_victim_type_count_beside_a_larger_total_is_a_breakdown() -> None:
    assert cats("At least 12 children died. The air strike on the school killed 30 people, officials said.") == [
        (C.killed, 30, 30)
    ]


def test_range_toll_and_elliptic_predicative_counts() -> None:
    assert cats("Villagers said the toll in the hamlet stands between 60 and several hundred.") == [(C.killed, 60, 999)]
    assert cats("Hundreds of thousands fleeing the fighting have reached the coast.") == [(C.fled, 200_000, 999_999)]
    assert cats("Many thousands died and hundreds of thousands displaced, the agency said.") == [
        (C.displaced, 200_000, 999_999)
    ]


def test_new_verbs_and_nouns() -> None:
    assert cats("Gunmen stormed the clinic, and the killing of six aid workers followed.") == [(C.killed, 6, 6)]
    assert cats("Thousands of villagers were slaughtered in the valley.") == [(C.killed, 2000, 9999)]
    assert cats("Fresh clashes have dislodged some 7,000 people.") == [(C.displaced, 7000, 7000)]


def test_subject_verb_after_a_long_modifier() -> None:
    assert cats(
        "At least 900 residents from hamlets along the river road, including two held by the militia, fled their homes."
    ) == [(C.fled, 900, 900)]


def test_place_is_not_an_agent_or_partner() -> None:
    found = counts("Backed by Russia, militiamen shelled the market in Kharkiv, killing 14 civilians.")
    assert [e.place.name if e.place else None for e in found] == ["Kharkiv"]
    found = counts("The strike near the border with Russia killed 14 civilians.")
    assert all(e.place is None or e.place.name != "Russia" for e in found)


def test_elliptic_figure_takes_the_cue_right_after_it() -> None:
    assert (C.wounded, 13, 13) in cats("The bus bombing left four dead 13 wounded near the square")
    assert (C.killed, 13, 13) not in cats("The bus bombing left four dead 13 wounded near the square")


# Classes from the first look at a held-out set of many wars and eras (docs/extraction.md). Every sentence here was
# written for these tests; several wordings and wars per class, with the counts that must stay out.


def test_second_of_two_coordinated_results() -> None:
    assert cats("Bandits raided the market in Zamfara, killing dozens of traders and forcing thousands to flee.") == [
        (C.fled, 2000, 9999),
        (C.killed, 24, 99),
    ]
    assert (C.fled, 1200, 1200) in cats("Militiamen torched the village, forcing 1,200 families to leave the area.")


def test_a_part_told_by_its_place_is_kept_a_part_by_victim_type_is_not() -> None:
    assert cats("Jihadists killed 20 villagers in Borno, including eight at the market.") == [
        (C.killed, 8, 8),
        (C.killed, 20, 20),
    ]
    assert cats("About 6,000 people fled Rutshuru, 2,500 of whom went to Goma.") == [
        (C.fled, 2500, 2500),
        (C.fled, 6000, 6000),
    ]
    assert cats("The drone strike on the wedding killed 16 civilians, including nine children.") == [(C.killed, 16, 16)]
    assert cats("Militiamen killed 25 villagers in Ituri, 10 of whom were women.") == [(C.killed, 25, 25)]


def test_civilians_of_a_mixed_toll_are_kept_and_the_total_dropped() -> None:
    assert cats("The strike on the town killed 30 people, including 12 civilians.") == [(C.killed, 12, 12)]


def test_civilians_numbered_apart_from_fighters_sharing_a_verb() -> None:
    assert cats("Twelve civilians and four militiamen died in the clashes near Kidal.") == [(C.killed, 12, 12)]
    assert cats("Nine villagers and three soldiers were wounded when mortars hit Bentiu.") == [(C.wounded, 9, 9)]
    assert cats("Six soldiers and two militiamen died in the clashes.") == []


def test_number_of_people_with_a_long_aside_before_its_verb() -> None:
    text = (
        "The number of displaced people, according to the agency's latest count for the province, has exceeded 90,000."
    )
    assert cats(text) == [(C.displaced, 90001, None)]  # "exceeded N" is more than N


def test_displaced_people_moving_again_and_people_made_homeless() -> None:
    assert cats("Some 4,000 displaced people fled the camp near Bunia when it was attacked.") == [
        (C.displaced, 4000, 4000)
    ]
    assert cats("About 2,500 people already uprooted once were forced to move again last week.") == [
        (C.displaced, 2500, 2500)
    ]
    assert cats("At least 900 residents were left homeless after the shelling of Marinka.") == [(C.displaced, 900, 900)]


def test_driven_out_is_displaced_even_after_a_killing_verb() -> None:
    assert cats(
        "When the militia took the village, dozens were executed and some 3,000 residents were driven out."
    ) == [
        (C.displaced, 3000, 3000),
        (C.killed, 24, 99),
    ]
    assert cats("Soldiers expelled 1,500 villagers from the valley in 1948.") == [(C.displaced, 1500, 1500)]


def test_joint_killed_and_injured_figures_are_other() -> None:
    assert cats("Rockets killed and injured 14 civilians in Kharkiv on Monday.") == [(C.other, 14, 14)]
    assert cats("The barrel bombs left 60 villagers killed or seriously injured.") == [(C.other, 60, 60)]


def test_soldiers_police_and_units_are_not_civilians() -> None:
    assert cats("A car bomb exploded outside the army headquarters in Mogadishu, killing six and wounding 20.") == []
    assert cats("Gunmen opened fire on a police patrol near Kirkuk, wounding seven.") == []
    assert cats("The blast hit a bus carrying soldiers in Damascus, killing 15 and injuring 30.") == []
    assert cats("A bomber struck near the air base in Peshawar, killing four airmen and injuring 31.") == []
    assert cats("Only 30 of his platoon of 90 were left after the battle.") == []
    assert cats("The Sixth Army's 250,000 men were encircled at the river.") == []


def test_sizes_of_places_and_units_are_not_counts() -> None:
    assert cats("The town, with a population of 40,000, lies on the river.") == []
    assert cats("A force of 5,000 was surrounded near the bridge.") == []


def test_nation_wide_and_yearly_tolls_are_left_out() -> None:
    assert cats("The national death toll from the strikes has reached 3,400, the ministry said.") == []
    assert cats("Across the country, bombings injured 5,600 people, the ministry said.") == []
    assert cats("Gang violence killed more than 4,000 people in the capital last year, the UN said.") == []
    assert cats("The air strike on the market in Aden killed 40 people last week.") == [(C.killed, 40, 40)]
    # one attack's toll stays a count when the country or the year only places or ranks it
    assert cats("An air strike on a market killed 12 people in the country's east, medics said.") == [
        (C.killed, 12, 12)
    ]
    assert cats("A car bomb at a bus station killed 20 people, this year's deadliest attack.") == [(C.killed, 20, 20)]
    assert cats("Shelling of a bus depot killed nine people, the worst attack in the country this year.") == [
        (C.killed, 9, 9)
    ]
    assert cats("So far this year, 300 people have been killed in raids on markets.") == []


def test_movement_verbs_count_only_in_a_report_about_displacement() -> None:
    text = "Attacks have displaced thousands in the north. More than 900 people have reached safety in Pemba."
    assert (C.displaced, 901, None) in cats(text)
    text = "Refugees keep crossing the border. An estimated 12,000 people have arrived in Goma since Monday."
    assert cats(text) == [(C.displaced, 12000, 12000)]
    text = "Fighting has forced thousands from their homes. Hundreds of families are heading towards the coast."
    assert (C.displaced, 200, 999) in cats(text)
    assert cats("Thousands of people gathered in the square to mourn the president.") == []
    assert cats("Some 500 people arrived in Kampala for the summit.") == []


def test_more_victim_nouns() -> None:
    assert cats("Gunmen abducted 276 schoolgirls from their dormitory in Chibok.") == [(C.other, 276, 276)]
    assert cats("Two medical staff were wounded when the hospital in Aden was shelled.") == [(C.wounded, 2, 2)]
    assert cats("Three nurses died when the clinic in Goma was bombed.") == [(C.killed, 3, 3)]


def test_a_doctor_speaking_is_no_count_and_a_lone_doctor_is_not_one() -> None:
    assert cats("A doctor said the strike killed 15 civilians in Aden.") == [(C.killed, 15, 15)]
    assert cats("A doctor was killed when the clinic in Goma was shelled.") == []


def test_one_persons_story_and_years_are_not_counts() -> None:
    assert cats("A woman who fled Mariupol described the shelling.") == []
    assert cats("She fled the city with her two children.") == []
    assert cats("Displacement rose sharply between 2015 and 2016, the agency said.") == []


def test_a_civilian_only_toll_of_a_whole_war_is_kept_a_toll_of_people_is_not() -> None:
    assert cats("Since 2015 the war has killed more than 10,000 civilians, the UN said.") == [(C.killed, 10001, None)]
    assert cats("Since 2015 the war has killed more than 150,000 people, the UN said.") == []


def test_people_rescued_are_evacuated_but_not_from_rubble() -> None:
    assert cats("Ferries rescued 300 civilians from the encircled town of Misrata.") == [(C.evacuated, 300, 300)]
    assert cats("Rescuers said 12 people were rescued from under the rubble in Antakya.") == []


def test_older_wars_wordings() -> None:
    assert cats("Some 20,000 refugees streamed into the town during one week of 1995.") == [(C.fled, 20000, 20000)]
    assert cats("Five aid workers were among those killed in the strike on the convoy of food trucks.") == [
        (C.killed, 5, 5)
    ]
    assert cats("The Germans deported some 40,000 inhabitants of the town to labour camps.") == [
        (C.displaced, 40000, 40000)
    ]
    assert cats("Shelling forced an estimated 15,000 villagers to abandon their homes near Grozny.") == [
        (C.fled, 15000, 15000)
    ]


def test_counts_per_place_in_a_list_take_the_totals_category() -> None:
    assert cats("Air strikes killed 20 civilians, 12 in Aleppo and eight in Idlib.") == [
        (C.killed, 8, 8),
        (C.killed, 12, 12),
        (C.killed, 20, 20),
    ]
    assert cats("Shelling killed 9 civilians in Kherson and 4 in Zaporizhzhia on Sunday.") == [
        (C.killed, 4, 4),
        (C.killed, 9, 9),
    ]
    assert cats("About 50,000 people have fled to Chad and 20,000 to South Sudan.") == [
        (C.fled, 20000, 20000),
        (C.fled, 50000, 50000),
    ]
    assert cats("Four soldiers died in Bakhmut and two in Avdiivka.") == []


def test_military_sites_block_unnamed_tolls_unless_the_figure_is_placed_in_a_civilian_site() -> None:
    assert cats("Rebels killed 12 people in the village, including five people at a checkpoint.") == [
        (C.killed, 5, 5),
        (C.killed, 12, 12),
    ]
    assert cats("A suicide bomber killed 14 people in the market near the army base in Kabul.") == [(C.killed, 14, 14)]
    assert cats("Gunmen killed nine people at a checkpoint near Kirkuk.") == []


def test_hostages_taken_trapped_civilians_and_attackers_named_by_their_victims() -> None:
    assert cats("Gunmen took 40 people hostage at the hotel in Bamako.") == [(C.other, 40, 40)]
    assert cats("About 2,000 civilians are unable to flee the town of Bakhmut.") == [(C.trapped, 2000, 2000)]
    assert cats("The siege ended when 12 hostage takers were killed at the school in Beslan.") == []
    assert cats("Six child soldiers died in the attack on the village.") == []


def test_quiet_sentences_give_no_count() -> None:
    for text in (
        "Displaced families need aid. Some 50 journalists gathered at the press centre in Kyiv.",
        "Refugees have been arriving for weeks. The minister said 300 delegates arrived in Geneva for the talks.",
        "The army sent 3,000 troops to Donetsk and 2,000 to Kherson.",
        "The ministry said 400 soldiers were killed in Bakhmut and 300 in Avdiivka.",
        "The town has 40,000 residents, 10,000 of whom are children.",
        "Fighting killed 45 people in Marib, 30 of them fighters.",
        "The fighters, numbering about 1,000, moved towards the border.",
        "About 8,000 people attended the funeral in Qamishli.",
        "The budget allocates 12 million dollars to Goma and 5 million to Bukavu.",
    ):
        assert cats(text) == [], text


def test_a_nationality_before_the_counted_noun_is_an_adjective() -> None:
    assert cats("The Japanese army killed an estimated 200,000 Chinese civilians in the city of Nanjing.") == [
        (C.killed, 200000, 200000)
    ]
    assert cats("The blast killed 30 Afghan soldiers at the base.") == []


def test_digit_groups_written_with_spaces_or_in_lakhs_are_one_number() -> None:
    assert cats("Some 12 000 people fled the shelling of their villages.") == [(C.fled, 12000, 12000)]
    assert cats("Between 8 000 and 10 000 villagers fled the fighting.") == [(C.fled, 8000, 10000)]
    assert cats("Aid workers said 3,15,000 villagers had been displaced by the air raids.") == [
        (C.displaced, 315000, 315000)
    ]
    assert cats("On 12 May 2015, 300 civilians were killed in the market.") == [(C.killed, 300, 300)]
    assert cats("On June 17 40 villagers were killed at the well.") == [(C.killed, 40, 40)]
    assert cats("On 3 September 4 500 villagers fled the shelling.") == [(C.fled, 4500, 4500)]  # day before month


def test_crossing_lines_or_taking_shelter_is_flight() -> None:
    assert cats("Some 6,000 families poured across the frontier into Uganda.") == [(C.fled, 6000, 6000)]
    assert cats("Nearly 900 villagers crossed the frontline to reach army-held districts.") == [(C.fled, 900, 900)]
    assert cats("Thousands of civilians have taken shelter at the UN base in Bor.") == [(C.fled, 2000, 9999)]
    assert cats("Some 40,000 villagers have been ordered to leave the district.") == [(C.displaced, 40000, 40000)]


def test_a_toll_that_exceeds_a_figure_is_more_than_it() -> None:
    assert cats("The toll of civilians killed in the siege has topped 400.") == [(C.killed, 401, None)]
    assert not cats("The temperature in the camp exceeded 40 degrees.")


def test_one_figure_for_civilians_and_soldiers_or_for_a_disaster_is_left_out() -> None:
    assert not cats("The blast killed 25 civilians and soldiers at the checkpoint.")
    assert cats("The blast killed 25 civilians and wounded 12 soldiers at the checkpoint.") == [(C.killed, 25, 25)]
    assert not cats("Nearly 2 million people are displaced by conflict and floods across the country.")
    assert not cats("Floods displaced 400,000 people in the delta, the agency said.")


def test_the_days_of_a_date_are_no_count_and_a_number_of_refugees_is_one() -> None:
    assert cats("The army evacuated 5,000 residents on 29 and 30 May.") == [(C.evacuated, 5000, 5000)]
    assert cats("On August 14 and 15 families were evacuated by boat.") == []
    assert cats("The number of refugees in the eastern camps was put at 25,000 by aid workers.") == [
        (C.fled, 25000, 25000)
    ]


def test_crossing_over_with_hostages_or_a_shrinking_number_of_refugees_is_no_flight() -> None:
    assert not cats("The rebels crossed over into Rwanda with 300 hostages.")
    for text in (
        "The number of refugees has fallen to 3,000 as families go back home.",
        "The number of refugees has dropped to 3,000 as many returned to their villages.",
    ):
        assert not cats(text), text


def test_a_disaster_drops_a_count_only_when_it_is_the_cause() -> None:
    assert cats("Shelling killed 45 villagers in a district still recovering from floods.") == [(C.killed, 45, 45)]
    assert not cats("The earthquake killed 300 people in the mountains.")
    assert not cats("Some 1,200 people have died from cholera in the camps.")


def _figures(text: str) -> list[tuple[str, int | None]]:
    return [(e.category or "", e.count.min if e.count else None) for e in counts(text)]


def test_a_figure_joined_to_its_scale_by_a_hyphen() -> None:
    assert _figures("Some 2.3-million people have been displaced since the war began.") == [("displaced", 2_300_000)]


def test_people_driven_or_forced_from_their_homes_are_displaced() -> None:
    assert _figures("The offensive drove 90,000 people from their homes in Tigray.") == [("displaced", 90_000)]
    assert _figures("Militias have forced 6,000 villagers out of their homes.") == [("displaced", 6_000)]
    assert _figures("Some 300 families went back to their homes.") == []


def test_a_vague_figure_with_more_that_ends_the_sentence_keeps_its_noun() -> None:
    assert _figures("Artillery fire killed 11 civilians and wounded dozens more.") == [("killed", 11), ("wounded", 24)]


def test_a_people_fleeing_or_driven_out_are_civilians() -> None:
    assert _figures("Tens of thousands of Rohingya have fled across the border.") == [("fled", 20_000)]
    assert _figures("At least 9,000 Meskhetians were driven from the valley.") == [("displaced", 9_000)]
    assert _figures("More than 400 noncombatants died in the bombardment.") == [("killed", 401)]


def test_refugees_who_reached_a_place_fled_to_it() -> None:
    got = _figures("Refugees keep coming: more than 8,000 refugees arrived in Adre this week, aid agencies said.")
    assert got == [("fled", 8_001)], got


def test_a_share_of_a_place_s_people() -> None:
    assert _figures("An estimated 60,000 of the city's inhabitants died during the blockade.") == [("killed", 60_000)]


def test_executions_are_a_civilian_context() -> None:
    assert _figures("An estimated 700 Muslim men were executed by the militia.") == [("killed", 700)]


def test_a_place_s_whole_population_is_no_count_but_the_part_before_it_is() -> None:
    assert _figures("Mortar fire hit the village, killing 40 of its 3,000 inhabitants.") == [("killed", 40)]
    assert _figures("Mortar fire hit the village, killing 40 of the village's 3,000 inhabitants.") == [("killed", 40)]
    assert _figures("The blockade left the city and its 250,000 inhabitants without water.") == []
    assert _figures("Her two children fled with her.") == []


def test_people_driven_from_their_homes_by_a_storm_or_fire_are_no_war_count() -> None:
    assert _figures("Storm Boris drove 20,000 people from their homes in Romania.") == []
    assert _figures("The wildfire forced 8,000 residents from their homes.") == []


def test_a_long_toll_phrase_counts_when_it_is_the_toll_of_one_incident() -> None:
    toll = "The death toll from the air strike on the apartment block in Poltava rose to 23, including four children."
    assert _figures(toll) == [("killed", 23)]
    assert _figures("The toll from the missile attack on the bus station in the centre of Sumy climbed to 17.") == [
        ("killed", 17)
    ]
    # a region's toll over years of unrest counts everyone, whatever stands before it
    region = "Gunmen raided a village and shot dead four people, taking the toll of the worst unrest in years across the hill districts to 48."
    assert _figures(region) == [("killed", 4)]


def test_a_civilian_building_makes_an_unnamed_toll_civilian() -> None:
    assert _figures("A glide bomb hit a residential building in Kharkiv, killing nine people.") == [("killed", 9)]
    assert _figures("Nine people were killed at the railway station in Kramatorsk on Friday.") == [("killed", 9)]
    assert _figures("Six people were killed in the fighting near the railway station.") == []  # combat


def test_members_of_one_family_are_civilians_whatever_the_number_word() -> None:
    assert _figures("Seven members of one family died when a rocket struck their house in Rafah.") == [("killed", 7)]
    assert _figures("Nine members of the militia were killed at the checkpoint.") == []


def test_a_verb_of_expulsion_split_by_its_object_displaces() -> None:
    assert _figures("The offensive drove some 80,000 people out of the valley within a month.") == [
        ("displaced", 80_000)
    ]
    assert _figures("Militias forced about 3,000 families from the villages around Djugu.") == [("displaced", 3_000)]
    assert _figures("The army forced 300 rebels to retreat.") == []
    assert _figures("Police chased 40 protesters through the streets.") == []


def test_as_opening_a_clause_of_time_joins_no_fighters_to_the_count() -> None:
    assert _figures("About 30,000 people streamed across the border as the militias closed in.") == [("fled", 30_000)]
    assert _figures("Forty people were killed, identified as fighters or villagers.") == []


def test_peoples_deported_and_murdered() -> None:
    assert _figures("In 1944 the NKVD deported some 90,000 Kalmyks to Siberia.") == [("displaced", 90_000)]
    assert _figures("The occupiers murdered 1,200 Jews in the town's ravine.") == [("killed", 1_200)]


def test_a_range_written_with_a_dash() -> None:
    assert _figures("Between 200–400 civilians were killed when the town was shelled.") == [("killed", 200)]
    found = counts("An estimated 5,000–8,000 villagers fled the district.")
    assert [(e.count.min, e.count.max) for e in found if e.count] == [(5_000, 8_000)]
    assert _figures("The 1939–1945 war displaced millions.") == [("displaced", 2_000_000)]  # years are no range


def test_refugees_counted_without_a_verb_fled_and_the_flight_of_people() -> None:
    assert _figures("By the winter there were some 60,000 refugees in the border camps.") == [("fled", 60_000)]
    assert _figures("The flight of 12,000 villagers from the hills began at dawn.") == [("fled", 12_000)]
    assert _figures("A flight of 20 bombers crossed the coast.") == []


def test_crews_of_warships_and_officers_are_no_civilians() -> None:
    assert _figures("A rocket hit the frigate and 30 men were killed.") == []


def test_a_written_hundred_runs_on_and_died_of_a_cause() -> None:
    assert _figures("A hundred and twenty villagers were massacred at the crossroads.") == [("killed", 120)]
    assert _figures("During the blockade some 30,000 residents died of hunger and cold.") == [("killed", 30_000)]


def test_people_driven_somewhere_and_killed_are_killed_and_ages_are_no_range() -> None:
    assert _figures("Some 300 villagers were driven into the barn and killed.") == [("killed", 300)]
    assert _figures("Soldiers forced 20 villagers out of the school and executed them.") == []
    assert _figures("The firm forced 500 employees out of the plant in Detroit.") == []
    assert _figures("Eleven children aged 6-14 died in the strike on the school.") == [("killed", 11)]
    assert _figures("Soldiers detained all men aged 18-60 in the village.") == []


def test_a_toll_of_months_or_of_a_region_is_no_incident_toll_and_refugees_going_home_did_not_flee() -> None:
    assert _figures("The toll from weeks of strikes on the villages of the Kursk region has risen to 900.") == []
    assert _figures("Some 7,000 refugees returned to Raqqa last month.") == []
