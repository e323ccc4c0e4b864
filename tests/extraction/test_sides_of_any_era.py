"""Sides of any war and era: a capitalised plural in a report of fighting, sides named by their role, and the named
movements of older wars. Every sentence here was written for these tests (the events may be real)."""

from __future__ import annotations

import pytest

from .conftest import actor_of


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("After a week of artillery fire the Carlists took the town of Estella from government troops.", "Carlists"),
        (
            "Ten thousand troops marched north with cavalry, and the Jacobites captured Perth without a fight.",
            "Jacobites",
        ),
        ("In the bloodiest year of the civil war, the Bolsheviks captured Kazan from Czech troops.", "Bolsheviks"),
        ("The Federalists seized Desterro after the garrison fled and the army withdrew.", "Federalists"),
    ],
)
def test_a_capitalised_plural_is_a_side_in_a_report_of_fighting(text: str, name: str) -> None:
    got = actor_of(text)
    assert got is not None and got[1] == name, (text, got)


@pytest.mark.parametrize(
    "text",
    [
        "The Seahawks took Dallas by surprise in the second half.",
        "The Patriots took Miami 31-7 as an army of fans watched.",
        "The Republicans captured Virginia, a result that killed Democratic hopes in the war of words.",
        "The Conservatives captured Hartlepool with troops of volunteers knocking on doors.",
        "The Liberals captured Bolton in a close election, officials said.",
        "the carlists took the town of Estella after artillery fire.",  # no capital: not a name
    ],
)
def test_a_capitalised_plural_without_fighting_or_capital_is_no_side(text: str) -> None:
    assert actor_of(text) is None, text


def test_a_role_noun_binds_to_the_side_the_report_names() -> None:
    text = (
        "Russian troops crossed the border from Belarus before dawn. "
        "By evening the invaders had captured the Hostomel airfield, officials in Kyiv said."
    )
    got = actor_of(text)
    assert got is not None and got[0] == "russia", got


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The mujahideen captured Khost after a long siege.", "mujahideen"),
        ("The partisans liberated the town of Uzice in September.", "partisans"),
        ("The attackers seized the district centre of Tessit before troops arrived.", "attackers"),
    ],
)
def test_a_role_noun_alone_is_kept_as_written(text: str, name: str) -> None:
    got = actor_of(text)
    assert got is not None and name in got[1].lower(), (text, got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sandinista guerrillas took the city of Leon in June 1979.", "fsln"),
        ("Contra rebels seized the mining town of Siuna.", "contras"),
        ("Confederate troops captured Harpers Ferry in September 1862.", "confederate-army"),
        ("The Union army occupied Nashville in February 1862.", "union-army"),
        (
            "Francoist troops entered Barcelona after the Republican army withdrew from the city.",
            "spanish-nationalists",
        ),
        ("Kuomintang troops recaptured Changsha in 1939.", "kuomintang"),
        ("Biafran troops took Benin City in August 1967.", "biafra"),
        ("NPFL rebels captured the port of Buchanan.", "npfl"),
        ("Viet Minh forces overran the French garrison at Dien Bien Phu.", "viet-minh"),
        ("CPN-M rebels captured the district headquarters of Rolpa.", "nepal-maoists"),
    ],
)
def test_movements_of_older_wars_have_their_ids(text: str, expected: str) -> None:
    got = actor_of(text)
    assert got is not None and got[0] == expected, (text, got)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("The federal army captured Enugu after Biafran troops withdrew.", "union-army"),
        ("The rebel army seized Goma on Sunday.", "confederate-army"),
        ("European Union forces took control of Bangui airport.", "union-army"),
        ("Communist troops seized Phnom Penh in April 1975.", "chinese-communists"),
        ("Serb nationalists seized the town of Zvornik.", "spanish-nationalists"),
        ("Republican forces in Chechnya retook Grozny.", "spanish-republicans"),
        ("The allies retook the old city of Mosul.", "allies-ww2"),
        ("Maoist rebels seized a police station in Chhattisgarh.", "nepal-maoists"),
        ("Christian militias seized Bossangoa.", "lebanese-forces"),
    ],
)
def test_words_any_war_uses_are_not_one_old_war_s_side(text: str, not_expected: str) -> None:
    got = actor_of(text)
    assert got is None or got[0] != not_expected, (text, got)
