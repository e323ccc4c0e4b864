"""Session 16 classes: a commander as the agent of a place's fall or capture, 'by them' after a side was named,
landform names that keep their head word, a country named inside a place's description, and the forces of the
United States told apart from a coalition they lead. Each is tried with same-shape sentences that must give nothing
new. Every sentence here was written for these tests."""

from __future__ import annotations

from .conftest import changes, controls

# --- a commander as the agent of a fall or a passive capture ----------------------------------------------------

_WAR = "The sultan's troops had besieged the port for two months and his artillery had breached the walls. "


def test_a_place_that_fell_or_surrendered_to_a_commander_passed_to_that_commander() -> None:
    assert changes(_WAR + "Tyre fell to Baibars after the siege.") == [("Tyre", "Baibars")]
    assert changes(_WAR + "Tyre surrendered to Baibars without a fight.") == [("Tyre", "Baibars")]


def test_a_place_captured_by_a_commander_passed_to_that_commander() -> None:
    assert changes(_WAR + "Tyre was captured by Baibars after a six-week siege.") == [("Tyre", "Baibars")]


def test_a_name_after_fell_to_outside_a_report_of_war_is_no_side() -> None:
    assert controls("The trophy for the season fell to Baibars in May.") == []
    assert controls("Tyre fell to Baibars in May.") == []  # no armed men, no siege: no report of war


def test_a_name_after_captured_by_in_a_sentence_of_pictures_or_games_is_no_side() -> None:
    # the report is one of war, the sentence is not: a picture taken, a match lost
    assert controls(_WAR + "Tyre was captured by Roberts in a series of engravings.") == []
    assert controls(_WAR + "Later that year Sidon fell to Rangers on penalties.") == []


def test_a_name_before_a_noun_or_a_common_word_after_fell_to_is_no_commander() -> None:
    assert changes(_WAR + "Tyre fell to Baibars's heirs after the siege.") == []
    assert changes(_WAR + "Tyre fell to General after the siege.") == []


# --- 'by them' ---------------------------------------------------------------------------------------------------


def test_a_capture_by_them_belongs_to_the_side_the_last_sentence_named() -> None:
    text = "Swedish troops besieged Riga for three months. The city was finally captured by them in September."
    assert changes(text) == [("Riga", "Swedish forces")]


def test_by_them_with_no_side_before_or_in_pictures_gives_nothing() -> None:
    assert controls("The tourists liked Riga. The city was captured by them in photographs.") == []
    text = "Press cameramen followed Swedish troops into Riga once the siege ended. Riga was captured by them on film."
    assert controls(text) == []


# --- landform names keep their head ---------------------------------------------------------------------------


def test_a_hill_or_a_ridge_keeps_its_head_word_in_its_name() -> None:
    assert changes("Pakistani troops seized Point Hill and Tololing Ridge in May.") == [
        ("Point Hill", "Pakistani forces"),
        ("Tololing Ridge", "Pakistani forces"),
    ]


def test_a_street_or_road_named_after_a_city_is_the_street_not_the_city() -> None:
    assert changes("Militiamen seized Mosul Road in eastern Tikrit on Sunday.") == [("Mosul Road", "Militiamen")]


def test_an_administrative_kind_word_still_drops_from_a_name() -> None:
    assert [p for p, _ in changes("Rebels captured the Wadi Khaled District on Sunday.")] == ["Wadi Khaled"]


# --- a country named inside a place's description --------------------------------------------------------------


def test_a_country_inside_the_description_of_a_town_is_stripped_with_it() -> None:
    assert [p for p, _ in changes("Insurgents seized the northern Mali town of Lere on Friday.")] == ["Lere"]


# --- the forces of the United States are not the coalition they lead --------------------------------------------


def test_american_troops_of_any_era_are_us_forces_not_a_coalition() -> None:
    assert changes("American troops occupied Monterrey in September 1846 after three days of fighting.") == [
        ("Monterrey", "U.S. forces")
    ]
    assert changes("U.S. Marines seized Ramadi on Sunday.") == [("Ramadi", "U.S. forces")]


def test_the_coalition_is_still_the_coalition() -> None:
    assert changes("The U.S.-led coalition seized Ramadi on Sunday.") == [("Ramadi", "U.S.-led coalition")]


# --- 'they' after a people named past an opening adjunct --------------------------------------------------------


def test_they_is_the_people_the_last_sentence_named_after_its_opening_adjunct() -> None:
    text = (
        "Early in the spring of 1710 the Danes landed near Helsingborg with three cavalry regiments. "
        "They soon marched north and captured Landskrona."
    )
    assert changes(text) == [("Landskrona", "Danes")]


def test_they_is_not_a_people_named_as_the_object_of_the_last_sentence() -> None:
    text = "In May the royal cavalry scattered the Danes near Helsingborg after a battle. They captured Landskrona."
    assert changes(text) == []


# --- 'It' for a place that was the last sentence's subject -----------------------------------------------------


def test_it_surrendering_is_the_place_the_last_sentence_was_about() -> None:
    text = "Sidon was cut off by Mamluk troops in April. It surrendered to the Mamluks after a short siege."
    assert changes(text) == [("Sidon", "Mamluks")]


def test_it_surrendering_after_a_sentence_about_an_army_is_no_place_given_up() -> None:
    text = "The Ninth Army, cut off at Halbe, was trapped by Soviet troops in April. It surrendered to the Red Army."
    assert changes(text) == []


def test_it_surrendering_is_not_the_dateline_place_nor_a_place_that_only_describes_the_subject() -> None:
    text = (
        "KHARTOUM (Reuters) - The army's base at Babanusa was cut off for weeks. It surrendered to the RSF on Sunday."
    )
    assert all(p != "Khartoum" for p, _ in changes(text))
    text = "Kars's governor was besieged by Russian troops for months. It surrendered to the Russians in November."
    assert changes(text) == []


# --- the historic present of timelines, and commanders as subjects -----------------------------------------------


def test_a_town_besieged_in_the_present_tense_is_what_the_city_refers_to() -> None:
    text = (
        "In 1521 the Spanish army and its Tlaxcalan allies besiege Tenochtitlan. Then Spanish troops capture the city."
    )
    assert changes(text) == [("Tenochtitlan", "Spanish forces")]


def test_a_commander_as_the_subject_of_a_capture_in_a_sentence_of_war() -> None:
    text = "In 1071 the Norman army blockaded Bari by land and sea. Then Guiscard seized the town with his troops."
    assert changes(text) == [("Bari", "Guiscard")]


def test_a_commander_subject_in_a_sentence_with_no_war_words_is_no_side() -> None:
    text = "In 1071 the Norman army blockaded Bari by land and sea. Guiscard later seized Trani."
    assert changes(text) == []
    text = "The army and the militia fought across the north. Then Sinner took Melbourne after a four-set battle."
    assert changes(text) == []


def test_a_noun_that_is_also_a_present_verb_puts_no_place() -> None:
    text = "Storm Ciara hit the coast on Sunday and troops were sent to help. Militants then seized the town."
    assert all(p != "Ciara" for p, _ in changes(text))


def test_him_after_a_commander_named_as_the_last_sentences_subject() -> None:
    text = "In 1415 Henry V laid siege to Harfleur with his army. After five weeks the town surrendered to him."
    assert changes(text) == [("Harfleur", "Henry V")]


def test_him_with_no_commander_before_gives_nothing() -> None:
    text = "In 1415 the English army laid siege to Harfleur. After five weeks the town surrendered to him."
    assert changes(text) == []
    text = "In 1415 Harfleur was besieged by the English army. After five weeks the town surrendered to him."
    assert all(a != "Harfleur" for _, a in changes(text))


def test_it_surrendering_after_a_place_subject_past_an_adjunct_with_no_comma() -> None:
    text = "In April 1291 Sidon was cut off by Mamluk troops. It surrendered to the Mamluks after a short siege."
    assert changes(text) == [("Sidon", "Mamluks")]
