"""Captors named in ways the lexicon did not know: armed organisations of older wars by their own names (short
acronyms that other bodies share only with an armed noun), and role words for a rising in any era. Every sentence here was written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from schemas.events import EventKind

from .conftest import actor_of, of_kind, run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Irgun captured the Manshiyya quarter of Jaffa in April 1948.", "irgun"),
        ("Lehi fighters seized the village of Deir Yassin.", "lehi"),
        ("The Arab Legion took Latrun in May 1948.", "arab-legion"),
        ("Democratic Army of Greece units captured Naousa in January 1949 and held it for three days.", "dse"),
        ("The Division of the North took Zacatecas in June 1914.", "division-of-the-north"),
        ("AFDL rebels captured Bukavu in October 1996.", "afdl"),
        ("Pathet Lao forces captured Nam Tha in May 1962.", "pathet-lao"),
        ("ARVN troops recaptured Quang Tri in September 1972.", "arvn"),
        ("Mukti Bahini guerrillas seized Jessore in December 1971.", "mukti-bahini"),
        ("ELAS guerrillas took Lamia in October 1944.", "elas"),
        ("The Prussians took Dybbol in April 1864 after a long bombardment by their artillery.", "prussian-army"),
        ("In 1521 the Ottomans captured Belgrade.", "ottoman-army"),
        ("Palmach units took the village of Qastel in April 1948, after a night of shelling.", "palmach"),
    ],
)
def test_armed_organisations_of_older_wars_are_known_by_name(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


def test_a_known_organisation_receives_a_surrender() -> None:
    (event,) = of_kind(
        run("The British garrison at Kut surrendered to the Ottoman army in April 1916."), EventKind.surrender
    )
    assert event.to is not None and event.to.id == "ottoman-army"


def test_an_acronym_another_body_shares_is_no_side_alone() -> None:
    """'the IRA' of a tax law, 'the AUC' of the African Union Commission: bare short acronyms bind no armed side."""
    tax = "The Inflation Reduction Act (IRA) was debated again. Rebels took control of Kidal on Monday."
    assert actor_of(tax) == ("rebels", "Rebels")
    union = "The African Union Commission (AUC) called for talks. The RSF seized El Fasher on Sunday."
    got = actor_of(union)
    assert got is not None and got[0] == "rsf", got


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Revolutionaries took Matamoros in June 1913.", "Rebels"),
        ("The insurrectionists seized Kronstadt in March 1921.", "Rebels"),
        ("Freedom fighters captured the town of Ghazni.", "Rebels"),
    ],
)
def test_role_words_of_a_rising_bind_like_rebels(text: str, name: str) -> None:
    got = actor_of(text)
    assert got is not None and got[1] == name, (text, got)


def test_role_words_bind_to_the_side_the_report_names() -> None:
    text = "Sandinista guerrillas attacked the barracks at dawn. By evening the revolutionaries had taken Leon."
    got = actor_of(text)
    assert got is not None and got[0] == "fsln", got


def test_irregulars_bind_to_a_named_militia_or_stay_as_written() -> None:
    named = "Fano militiamen gathered near the town. The irregulars seized Lalibela on Tuesday."
    got = actor_of(named)
    assert got is not None and got[0] == "fano", got
    alone = actor_of("During the night the irregulars captured Muzaffarabad.")
    assert alone is not None and alone[1] == "the irregulars", alone
