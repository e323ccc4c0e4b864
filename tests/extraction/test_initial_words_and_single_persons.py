"""A sentence's first word that is a common English word is that word, not a hamlet of the same name somewhere
('Artillery and infantry fought ...'), while a name of two words is a name though its first word is common ('Port
X fell'); a text broken at a column keeps its sentences whole; abductions told as 'forcibly taken away'; 'locals'
are civilians; 'a civilian' is a count of one only when 'civilian' heads its phrase ('a civilian was killed', not
'a civilian aid convoy'). Every sentence was written for these tests."""

from __future__ import annotations

from workers.extraction.sentences import sentence_spans

from .conftest import controls, counts

WAR = "Artillery and infantry fought for a week while the siege went on. "


def test_a_common_word_opening_a_sentence_is_no_place() -> None:
    found = controls(WAR + "After nine days of bombardment the garrison handed over the city to the insurgents.")
    assert all(e.place is None or e.place.name not in ("Artillery", "Artillerie") for e in found)
    found_counts = counts(WAR + "Some 300 villagers were abducted by the rebels.")
    assert all(e.place is None or e.place.name not in ("Artillery", "Artillerie") for e in found_counts)


def test_a_rare_word_opening_a_sentence_is_still_a_place() -> None:
    found = controls("Kidal fell to the rebels on Sunday after a siege by troops and artillery.")
    assert [e.place.name for e in found if e.place is not None] == ["Kidal"]


def test_people_taken_away_are_abducted() -> None:
    found = counts(WAR + "The priest said about 700 villagers were forcibly taken away by the militia.")
    assert [(e.category.value if e.category else None, e.count.min if e.count else None) for e in found] == [
        ("other", 700)
    ]


def test_people_taken_away_by_bus_are_not_abducted() -> None:
    found = counts(WAR + "About 300 residents were taken away by bus to a safer town.")
    assert all(e.category is None or e.category.value != "other" for e in found)


def test_locals_are_civilians() -> None:
    found = counts(WAR + "An official said as many as 2,000 locals had fled the valley.")
    assert [e.count.min for e in found if e.count is not None] == [2000]


def test_a_civilian_heading_its_phrase_is_one_person_and_a_civilian_modifier_is_none() -> None:
    assert [e.count.min for e in counts(WAR + "A civilian was killed when a shell hit the market.") if e.count] == [1]
    assert [e.count.min for e in counts(WAR + "A civilian also died when a shell hit the market.") if e.count] == [1]
    assert [e.count.min for e in counts(WAR + "A child playing outside was killed by the shelling.") if e.count] == [1]
    assert counts(WAR + "A civilian aid convoy was hit by a shell and its driver was killed.") == []


# --- text broken at a column; names whose first word is a common word -------------------------------------------


def test_a_text_broken_at_a_column_keeps_its_sentences_whole() -> None:
    text = (
        "Artillery and infantry fought for a week while the siege went\n"
        "on around the harbour. After a long siege the Japanese took\n"
        "Port Velmor on 2 January, and the garrison marched out into\n"
        "captivity. The news reached the capital two days later and\n"
        "the crowds there cheered.\n"
    )
    assert [(e.place.name, e.actor.name) for e in controls(text) if e.place and e.actor] == [
        ("Port Velmor", "Japanese forces")
    ]


def test_headlines_and_a_heading_over_wrapped_text_keep_their_own_sentences() -> None:
    headlines = (
        "Rebels seize Kars after three-day battle in the east\n"
        "Army retakes Goma as militia flees to the hills\n"
        "Prime Minister visits troops on the front line\n"
        "Ceasefire talks stall in Geneva as envoys walk out\n"
    )
    assert len(sentence_spans(headlines)) == 4
    body = (
        "FALL OF PORT VELMOR\n"
        "By our correspondent\n"
        "Artillery and infantry fought for a week while the siege went\n"
        "on around the harbour. After a long siege the Japanese took\n"
        "Port Velmor on 2 January, and the garrison marched out into\n"
        "captivity.\n"
    )
    first = [body[a:b] for a, b in sentence_spans(body)][:2]
    assert first == ["FALL OF PORT VELMOR", "By our correspondent"]


def test_a_name_of_two_words_opening_a_sentence_is_a_place_though_its_first_word_is_common() -> None:
    found = controls(WAR + "Port Velmor fell to the Japanese on 2 January.")
    assert [(e.place.name, e.actor.name) for e in found if e.place and e.actor] == [("Port Velmor", "Japanese forces")]
    dated = controls(WAR + "On 2 January the fortress of Port Velmor fell to the Japanese.")
    assert [e.place.name for e in dated if e.place] == ["Port Velmor"]


def test_a_title_or_a_count_opening_a_sentence_is_no_place() -> None:
    assert controls(WAR + "Prime Minister Khan fell to the opposition on Sunday.") == []
    assert controls(WAR + "Two Towns fell to the rebels on Sunday.") == []
    assert controls(WAR + "Central Command fell to the Germans in 1941.") == []


# --- a bare plural of places ------------------------------------------------------------------------------------


def test_bare_plural_places_with_neither_a_count_nor_a_name_are_no_place() -> None:
    assert controls(WAR + "The militants seized villages in the district of Tsvera in August.") == []
    counted = controls(WAR + "The militants seized 12 villages near Tsvera in August.")
    assert [e.place.name for e in counted if e.place] == ["12 villages"]
