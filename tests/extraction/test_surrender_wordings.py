"""Surrender wordings other than 'X surrendered (to Y)', and places that are no surrendering side. Every sentence
here was written for these tests (the events may be real or invented)."""

from __future__ import annotations

import pytest

from schemas.events import EventKind

from .conftest import of_kind, run


def surrenders(text: str) -> list[tuple[str, int | None]]:
    """(actor name, count) of each surrender in `text`."""
    return [
        (e.actor.name if e.actor else "", e.count.min if e.count else None)
        for e in of_kind(run(text), EventKind.surrender)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "William's army obtained the surrender of the citadel of Namur in 1695.",
        "The surrender of the fortress of Kars ended the four-month siege.",
        "After the surrender of Edo, the shogun retired to Mito.",
        "The commanders negotiated the surrender of Osaka castle.",
        "The capitulation of Metz came in October 1870.",
        "The garrison town of Kut surrendered to the Ottomans in April 1916.",
        "The fortress of Przemysl surrendered to the Russians in March 1915.",
        "The city surrendered to the Prussian army in January 1871.",
    ],
)
def test_a_place_is_never_the_surrendering_side(text: str) -> None:
    assert surrenders(text) == [], text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The surrender of the garrison of Port Arthur came in January 1905.", "garrison of Port Arthur"),
        ("The British accepted the surrender of the garrison of Kut.", "garrison of Kut"),
        ("The surrender of the Stalingrad pocket came in February 1943.", "Stalingrad pocket"),
        ("The surrender of Berlin's defenders followed on 2 May 1945.", "Berlin defenders"),
        ("The garrison surrendered to the Ottomans in April 1916.", "The garrison"),
    ],
)
def test_the_people_holding_a_place_still_surrender(text: str, name: str) -> None:
    assert [n for n, _ in surrenders(text)] == [name], text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("By Tuesday, eleven Yugoslav conscripts had given themselves up to Albanian guerrillas near Prizren.", 11),
        ("Forty government soldiers handed themselves over to the rebels at the river crossing.", 40),
        ("Twelve FARC guerrillas turned themselves in to the army on Monday.", 12),
        ("Some 200 Taliban fighters gave themselves up to Afghan forces.", 200),
        ("Nine Contra fighters had handed themselves in to the Sandinista army by Friday.", 9),
    ],
)
def test_reflexive_wordings_are_completed_surrenders(text: str, count: int) -> None:
    assert [c for _, c in surrenders(text)] == [count], text


@pytest.mark.parametrize(
    "text",
    [
        "The guerrillas called on the Yugoslav conscripts to give themselves up near Prizren.",
        "Nine Contra fighters refused to hand themselves in to the Sandinista army.",
        "Twelve FARC guerrillas may turn themselves in to the army next week.",
    ],
)
def test_reflexive_intentions_are_nothing(text: str) -> None:
    assert surrenders(text) == [], text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The besieged Greek company, consisting of 65 exhausted riflemen, surrendered to the Italians at dawn.", 65),
        ("The garrison, some 3,000 men, surrendered on 12 May.", 3000),
        ("The Austrian rearguard, numbering about 1,200 soldiers, surrendered to the French at dusk.", 1200),
    ],
)
def test_a_count_in_an_aside_between_side_and_verb(text: str, count: int) -> None:
    assert [c for _, c in surrenders(text)] == [count], text


@pytest.mark.parametrize(
    "text",
    [
        "The remaining defenders, consisting of the wounded, surrendered.",
        "The garrison, exhausted by hunger, surrendered in March 1871.",
    ],
)
def test_an_aside_without_a_figure_gives_no_count(text: str) -> None:
    assert [c for _, c in surrenders(text)] == [None], text


@pytest.mark.parametrize(
    ("text", "name", "count"),
    [
        (
            "In 1917 the Austrians compelled the Italians who still held the mountain pass to capitulate at dawn, "
            "taking 9,000 prisoners.",
            "Italians",
            9000,
        ),
        ("Serbian artillery forced the Bosnian brigade to surrender near Zepa.", "Bosnian brigade", None),
        ("The Prussians compelled the French army at Sedan to capitulate on 2 September 1870.", "French forces", None),
        ("Union troops forced 2,000 Confederate soldiers to surrender near Fort Donelson.", "Confederate forces", 2000),
        (
            "The Ethiopians forced the Italian column to surrender at Adwa, capturing 3,000 prisoners.",
            "Italian column",
            3000,
        ),
    ],
)
def test_forced_to_surrender_is_a_surrender_by_the_object(text: str, name: str, count: int | None) -> None:
    assert surrenders(text) == [(name, count)], text


@pytest.mark.parametrize(
    "text",
    [
        "The army tried to force the rebels to surrender.",
        "The army hoped to force the rebels to surrender.",
        "Hunger may force the garrison to surrender within a week.",
        "The general threatened to force the militia to surrender.",
        "The army had not forced the rebels to surrender by Friday.",
        "The Germans forced Metz to surrender in October 1870.",
        "The blockade forced the city to surrender.",
    ],
)
def test_attempts_to_force_a_surrender_and_forced_towns_are_nothing(text: str) -> None:
    assert surrenders(text) == [], text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The offensive ended with the bulk of the 90,000 Argentine conscripts surrendering at once.", None),
        (
            "Allied armour entered the port and found most of the Italian garrison surrendering to its first patrols.",
            None,
        ),
        ("The offensive collapsed, the bulk of the Italian army surrendering to the British at Beda Fomm.", None),
        ("The campaign ended in May 1943 with some 250,000 Axis soldiers surrendering in Tunisia.", 250000),
        ("The siege ended with 400 Taliban fighters laying down their arms at Kunduz.", 400),
        ("The revolt collapsed within days, with 60 FARC guerrillas giving themselves up to the army.", 60),
    ],
)
def test_a_gerund_told_as_an_event_is_a_surrender(text: str, count: int | None) -> None:
    """A part of a counted body ('the bulk of the 300,000') has no stated size."""
    assert [c for _, c in surrenders(text)] == [count], text


@pytest.mark.parametrize(
    "text",
    [
        "The garrison held out for a week before surrendering.",
        "The commander refused surrendering the fort.",
        "There was talk of soldiers surrendering in the north.",
        "Rebels surrendering to the army will be given an amnesty, the minister said.",
        "The officers warned of the risk of troops surrendering en masse.",
        "With the prospect of the garrison surrendering, the general sent envoys.",
        "In Kharkiv, soldiers surrendering to Ukrainian forces said they had not eaten for days.",
        "The town was bombed, with civilians fleeing and soldiers retreating.",
        "The general spoke against troops giving themselves up without orders.",
    ],
)
def test_gerunds_of_plans_talk_or_their_own_clause_are_nothing(text: str) -> None:
    assert surrenders(text) == [], text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("In the night the partisans overran the depot's mortars and the Ustase guards surrender.", "Ustaše"),
        ("The Boers stormed the hill and the British soldiers surrender.", "British forces"),
        ("The insurgents took the bridge and the remaining defenders surrender.", "remaining defenders"),
    ],
)
def test_a_present_surrender_after_a_told_act_is_a_surrender(text: str, name: str) -> None:
    assert [n for n, _ in surrenders(text)] == [name], text


@pytest.mark.parametrize(
    "text",
    [
        "If the army attacked and the soldiers surrender, the war would end.",
        "The armed men and soldiers surrender their weapons.",
        "The rebels seized the guns and soldiers surrender daily.",
        "The rebels seized the guns, and when soldiers surrender they are released.",
        "The rebels seized the guns and soldiers surrender if they are paid.",
        "The wounded and soldiers surrender.",
    ],
)
def test_a_present_surrender_without_a_told_act_or_under_a_condition_is_nothing(text: str) -> None:
    assert surrenders(text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "Low oil prices forced Venezuela to capitulate on its debt talks.",
        "Mounting losses forced Deutsche Bank to capitulate, taking 300 jobs with it.",
        "The rain forced Nadal to surrender the second set.",
        "The leaders forced Juventus to surrender their crown in April.",
        "A gale forced the Coast Guard to surrender its search.",
        "The army forced the rebels to surrender 40 rifles at the camp.",
    ],
)
def test_forced_to_give_something_up_or_no_armed_side_is_nothing(text: str) -> None:
    """'Forced X to surrender' is a side's surrender only when it takes no object and an armed side is named."""
    assert surrenders(text) == [], text


def test_forced_to_surrender_by_an_armed_side() -> None:
    assert surrenders("Free French troops forced the Vichy garrison to capitulate in July 1941.") == [
        ("Vichy garrison", None)
    ]
    war = "American troops took Okinawa after a long siege and heavy shelling. "
    assert surrenders(war + "The bombing forced Japan to surrender in August 1945.") == [("Japan", None)]
    assert surrenders(war + "Higher costs forced Deutsche Bank to capitulate on Friday.") == []
    assert surrenders("The bombing forced Japan to surrender in August 1945.") == []


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The front broke, the defenders surrendering in their hundreds.", None),
        ("The pocket collapsed, with 700 Hungarian soldiers surrendering to the Soviets.", 700),
        ("The pocket collapsed, with 700 Hungarian soldiers surrendering their weapons to the Soviets.", 700),
    ],
)
def test_a_gerund_without_an_object_is_a_surrender(text: str, count: int | None) -> None:
    assert [c for _, c in surrenders(text)] == [count], text


@pytest.mark.parametrize(
    "text",
    [
        "Rome drew 1-1, the defenders surrendering an early lead.",
        "The pocket collapsed, with 700 Hungarian soldiers surrendering a bridgehead to the Soviets.",
        "The hosts lost, with their defenders surrendering two goals in the last minutes.",
    ],
)
def test_a_gerund_that_gives_something_up_is_nothing(text: str) -> None:
    assert surrenders(text) == [], text


def test_forced_to_capitulate_needs_an_armed_side_and_weapons_are_no_object_that_blocks_it() -> None:
    from schemas.events import EventKind

    from .conftest import of_kind, run

    for text in (
        "A strike forced the company to capitulate.",
        "Protests by 3,000 farmers forced the government to capitulate.",
    ):
        assert of_kind(run(text), EventKind.surrender) == [], text
    found = of_kind(
        run("Kurdish forces forced 300 IS fighters to surrender their arms near Baghuz."), EventKind.surrender
    )
    assert [(e.actor.id if e.actor else None, e.count.min if e.count else None) for e in found] == [
        ("islamic-state", 300)
    ]


def test_a_side_told_in_a_first_predicate_is_the_one_that_surrendered_after_and() -> None:
    assert surrenders("An Austrian army was encircled at Ulm and surrendered in October 1805.") == [
        ("Austrian forces", None)
    ]
    assert [a for a, _ in surrenders("The Boer commando held out for nine days and surrendered on 27 February.")] != []


def test_after_and_a_break_or_a_new_subject_leaves_the_first_predicate_alone() -> None:
    assert surrenders("The town was shelled for weeks, and the mayor refused to surrender.") == []
    assert surrenders("Talks stalled and demands that the rebels surrender were dropped.") == []


def test_a_name_that_surrendered_with_a_count_of_men_is_a_commander_and_his_men() -> None:
    assert surrenders("After the battle at Saratoga, Burgoyne surrendered with 5,800 men.") == [
        ("Burgoyne's forces", 5800)
    ]
    assert surrenders("The siege dragged on. Then Cronje surrendered with some 4,000 Boers.") == [
        ("Cronje's forces", 4000)
    ]


def test_a_name_that_surrendered_with_a_lawyer_or_a_few_men_outside_a_war_is_no_surrender() -> None:
    assert surrenders("The trial ended. Jenkins surrendered with his lawyer at the courthouse.") == []
    assert surrenders("The robbery failed. Jenkins surrendered with two other men.") == []


def test_a_side_after_and_is_a_new_clause_not_what_was_surrendered() -> None:
    assert surrenders("The garrison of Zabrdje surrendered and Serbian troops occupied the town.") == [
        ("The garrison", None)
    ]
