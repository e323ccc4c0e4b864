"""Classes of civilian-count and surrender wording: negated hedges, surrenders told in the historic present, a
commander surrendering with his men, civilian deaths under a modal, flight idioms, a figure whose noun comes in the
next conjunct, and tolls that are not civilian counts. Every sentence here was written for these tests."""

from __future__ import annotations

import pytest

from schemas.events import EventKind
from workers.extraction.numbers import find_numbers

from .conftest import counts, of_kind, run


def _first(text: str) -> tuple[int | None, int | None, bool, str | None]:
    n = find_numbers(text.lower().split())[0]
    return n.min, n.max, n.exact, n.hedge


def _counts(text: str) -> list[tuple[str, int | None, int | None]]:
    return sorted((e.category.value if e.category else "", e.count.min, e.count.max) for e in counts(text) if e.count)


def _surrenders(text: str) -> list[tuple[str | None, int | None]]:
    return [
        (e.actor.name if e.actor else None, e.count.min if e.count else None)
        for e in of_kind(run(text), EventKind.surrender)
    ]


# 1. Negated hedges: 'no fewer than N' is at least N, 'no more than N' at most N.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no fewer than 5,000 families", (5000, 5000, False, "no fewer than")),
        ("no less than 300 people", (300, 300, False, "no less than")),
        ("not less than 40 villagers", (40, 40, False, "not less than")),
        ("not fewer than twelve hostages", (12, 12, False, "not fewer than")),
        ("no more than 20 civilians", (None, 20, False, "no more than")),
        ("fewer than 9,000 people", (None, 8999, False, "fewer than")),
        ("less than 60 residents", (None, 59, False, "less than")),
    ],
)
def test_a_negated_hedge_turns_its_sense(text: str, expected: tuple[int | None, int | None, bool, str | None]) -> None:
    assert _first(text) == expected


def test_negated_hedges_in_civilian_counts() -> None:
    assert _counts("No fewer than 3,000 families fled the valley after the raid on Tskhinvali.") == [
        ("fled", 3000, 3000)
    ]
    assert _counts("Not less than 400 civilians were killed in the bombardment of Grozny.") == [("killed", 400, 400)]
    assert _counts("Fewer than 400 civilians were killed in the bombardment of Grozny.") == [("killed", None, 399)]
    assert _counts("There were no fewer than twelve checkpoints on the road to Jaffna.") == []


# 2. A surrender told in the historic present of a dated chronology.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 2 June the fortress of Kars falls to the besiegers, and its 12,000 defenders surrender.", 12000),
        ("March 30, Tobruk falls as 33,000 British soldiers surrender to the Axis.", 33000),
        ("On 14 May the garrison surrenders to the besiegers.", None),
        ("On Monday the rebels finally surrender to the army in Goma.", None),
    ],
)
def test_a_surrender_in_the_historic_present_is_told(text: str, expected: int | None) -> None:
    found = _surrenders(text)
    assert len(found) == 1 and found[0][1] == expected, found


@pytest.mark.parametrize(
    "text",
    [
        "On 3 May the garrison refused to surrender.",
        "In 1864 the general called on the rebels to surrender.",
        "On Friday the rebels will surrender.",
        "On 3 May the rebels would surrender if attacked.",
        "In 1945 the allies demanded the surrender of the garrison.",
        "In 1865 the commander surrenders his sword to his rival.",
        "If the garrison surrenders on Monday, the soldiers will be spared.",
        "On 2 September the Japanese surrender is signed aboard the battleship.",
        "The garrison does not surrender in 1915.",
        "Soldiers who surrender in 1940 are treated as prisoners.",
        "Soldiers surrender to the army when they run out of food.",
        "On 4 July the rebels plan to surrender.",
    ],
)
def test_no_surrender_in_the_present_that_is_no_told_event(text: str) -> None:
    assert _surrenders(text) == [], text


def test_a_year_before_the_subject_is_no_count() -> None:
    assert _surrenders("In 1940 the soldiers surrendered.") == [("the soldiers", None)]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("On 14 March the fort's 800 defenders surrender.", 800),
        ("June 6, the 1,500 soldiers of the battalion surrendered.", 1500),
        ("On 3 May 12 soldiers surrendered to the police.", 12),
        ("The siege lasted nine weeks; on 2 July the 600 defenders surrender.", 600),
    ],
)
def test_the_day_of_a_date_is_no_count(text: str, count: int) -> None:
    """A small figure beside a month's name is a day; the count is the figure of people."""
    assert [c for _, c in _surrenders(text)] == [count], text


@pytest.mark.parametrize(
    "text",
    [
        "Under the ceasefire deal, on 5 March the militias surrender at the border post.",
        "The treaty states that on Friday the guerrillas surrender in Bogota.",
        "On 5 May each year the cadets surrender at the fair.",
        "Every spring the cadets surrender at the fair in a staged siege.",
        "In the novel, set in 1812, the soldiers surrender to the wolves.",
        "The town held out until spring, and soldiers surrender to the police in 1999.",
    ],
)
def test_a_present_surrender_of_a_plan_a_habit_or_a_story_is_nothing(text: str) -> None:
    """A plan, a habit, fiction or a staged show is told in the present too; a chronology's date opens its entry."""
    assert _surrenders(text) == [], text


# 3. A commander and his men surrender: the count is the men's, modifiers and an aside allowed.
@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Cronje and roughly 4,000 weary Boers, their wagons burnt, surrendered at Paardeberg in February 1900.", 4000),
        ("General Osman and some 40,000 weary soldiers, their ammunition spent, surrendered at Plevna.", 40000),
        ("Colonel Smith and 300 exhausted men surrendered to the Zulus.", 300),
        ("Admiral Kato and about 600 sailors surrendered to the Americans.", 600),
    ],
)
def test_a_commander_and_his_men_surrender(text: str, count: int) -> None:
    found = _surrenders(text)
    assert len(found) == 1 and found[0][1] == count and found[0][0], found


def test_a_commander_and_others_who_are_no_men() -> None:
    assert _surrenders("The priest and some 200 villagers surrendered their rifles to the militia.") == []
    assert _surrenders("General Osman and some 40,000 weary soldiers refused to surrender at Plevna.") == []


# 5. Flight told by an idiom: 'took to the roads', 'fled on foot'; the part of a named place's population.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Some 40,000 villagers took to the roads south after the massacre at Srebrenica.", [("fled", 40000, 40000)]),
        (
            "Half a million residents took to the road toward the coast as the front collapsed.",
            [("fled", 500000, 500000)],
        ),
        (
            "As the armies closed in, 300,000 of Warsaw's 1,300,000 residents took to the road.",
            [("fled", 300000, 300000)],
        ),
        ("As the guns neared, 30,000 of the city's 90,000 inhabitants took to the roads.", [("fled", 30000, 30000)]),
        ("Thousands of civilians fled on foot towards Aleppo.", [("fled", 2000, 9999)]),
    ],
)
def test_flight_told_by_an_idiom(text: str, expected: list[tuple[str, int | None, int | None]]) -> None:
    assert _counts(text) == expected


def test_the_people_of_a_named_place_are_counted_there() -> None:
    found = counts("As the armies closed in, 300,000 of Warsaw's 1,300,000 residents took to the road.")
    assert [e.place.name for e in found if e.place] == ["Warsaw"]


@pytest.mark.parametrize(
    "text",
    [
        "About 2,000 soldiers took to the roads after the rout near Kursk.",
        "The convoy of 300 trucks took to the road at dawn.",
        "The 5,000 marchers took to the roads of Selma.",
    ],
)
def test_no_flight_when_the_idiom_tells_of_no_civilians(text: str) -> None:
    assert _counts(text) == []


# 6. A bare figure whose civilian noun comes in the next conjunct, even beside an attack on a post.
def test_the_noun_of_the_next_conjunct_covers_the_bare_figure() -> None:
    text = (
        "Fighters raided a militia checkpoint outside Ramadi, a city where on Friday a roadside bomb killed eight "
        "and wounded dozens of civilians."
    )
    assert _counts(text) == [("killed", 8, 8), ("wounded", 24, 99)]
    text = "Guerrillas ambushed a police patrol near Jalalabad with a bomb that killed nine and wounded 40 people."
    assert _counts(text) == []
    assert _counts("A mine hit a bus carrying soldiers near Batna, killing 15 and wounding 20.") == []


# 7. Tolls that are no civilian counts.
@pytest.mark.parametrize(
    "text",
    [
        "Artillery killed 14 persons in a raid on the market of Hue, most of them civilians.",
        "Officials said the six-year insurgency had killed thousands of people.",
        "Since 2014 the war in Donbas has killed some 14,000 people.",
        "The garrison held out at a cost of 96 dead.",
        "The paratroopers kept the bridge at a cost of 81 killed during the counterattack.",
    ],
)
def test_mixed_war_wide_and_own_losses_are_no_civilian_counts(text: str) -> None:
    assert _counts(text) == []


def test_civilian_counts_beside_those_shapes_stay() -> None:
    assert _counts("Artillery killed 14 civilians in a raid on the market of Hue.") == [("killed", 14, 14)]
    assert _counts("Since 2014 the war in Donbas has displaced over 2 million people.") == [
        ("displaced", 2000001, None)
    ]
    assert _counts("The air strike on the market in Idlib has killed 40 people, officials said.") == [
        ("killed", 40, 40)
    ]


def test_a_force_named_like_a_town_is_no_place() -> None:
    found = counts("The Marines shelled the village, killing 12 civilians.")
    assert len(found) == 1 and (found[0].place is None or found[0].place.name != "Marines")


# 4. Civilian deaths told under a modal or a hedge; a bare modal is a prospect.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "As many as 3,000 civilians are believed to have perished in the siege of Sarajevo.",
            [("killed", 3000, 3000)],
        ),
        ("Up to 600 villagers may have died when the militia burned Nyarubuye.", [("killed", 600, 600)]),
        ("Up to 8,000 people may have perished in the sack of the town.", [("killed", 8000, 8000)]),
        ("Up to 600 villagers may well have died in the raid on Nyarubuye.", [("killed", 600, 600)]),
    ],
)
def test_deaths_under_a_perfect_modal_are_counted(
    text: str, expected: list[tuple[str, int | None, int | None]]
) -> None:
    assert _counts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Up to 600 villagers may die if the siege of Nyarubuye continues.",
        "Up to 600 villagers could be killed if the siege of Nyarubuye continues.",
        "Up to 9,000 soldiers may have perished in the siege.",
        "Up to 80,000 people may have perished in the war.",
    ],
)
def test_a_prospect_or_a_soldiers_or_war_toll_is_no_count(text: str) -> None:
    assert _counts(text) == []


def test_a_large_toll_of_one_massacre_is_no_war_toll() -> None:
    assert _counts("Up to 80,000 people may have perished in the massacre.") == [("killed", 80000, 80000)]
    assert _counts("As many as 40,000 people may have died in the sack of the town.") == [("killed", 40000, 40000)]
    assert _counts("The war killed 300,000 people in the villages and towns of the north.") == []


def test_flight_into_the_bush_or_the_hills() -> None:
    assert _counts("About 12,000 villagers took to the bush when the rebels reached Kailahun.") == [
        ("fled", 12000, 12000)
    ]
    assert _counts("Some 300 guerrillas took to the hills after the coup.") == []


# A ranked commander surrenders (his force), and receives a surrender.
def test_a_ranked_commander_surrenders() -> None:
    text = (
        "Union troops had cut off the Confederate army's retreat. "
        "On 9 April 1865 General Lee surrenders to General Grant at Appomattox."
    )
    found = of_kind(run(text), EventKind.surrender)
    assert [(e.actor.name if e.actor else None, e.to.name if e.to else None) for e in found] == [
        ("General Lee", "General Grant")
    ]
    assert _surrenders("Field Marshal Paulus surrendered at Stalingrad in January 1943.") == [
        ("Field Marshal Paulus", None)
    ]
    found = of_kind(run("The garrison surrendered to Colonel Baden-Powell."), EventKind.surrender)
    assert [e.to.name for e in found if e.to] == ["Colonel Baden-Powell"]


def test_a_bare_surname_or_an_unranked_person_is_no_side() -> None:
    assert _surrenders("Lee surrendered to Grant at Appomattox.") == []
    assert _surrenders("The general surrendered.") == []
    assert _surrenders("General Osman refused to surrender.") == []


def test_a_modal_of_another_verb_or_a_war_word_elsewhere_leaves_the_toll() -> None:
    assert _counts("Thirty villagers who could not walk were killed in the shelling of the town.") == [
        ("killed", 30, 30)
    ]
    assert _counts("Militias burned the war memorial and killed 30 villagers in the market.") == [("killed", 30, 30)]
    assert _counts("The war has so far killed 30,000 people.") == []


def test_a_running_total_counts_the_same_people_as_the_count_before_it() -> None:
    text = "Another 2,200 refugees crossed into Kenya on Sunday, bringing the total to 48,000."
    found = [
        (e.category.value if e.category else None, e.count.min if e.count else None)
        for e in of_kind(run(text), EventKind.civilian_count)
    ]
    assert found == [("fled", 2200), ("fled", 48000)]
    assert of_kind(run("The league added two clubs, bringing the total to 20."), EventKind.civilian_count) == []


def test_a_side_s_name_is_no_place_of_a_count() -> None:
    found = of_kind(run("Hamas freed 11 hostages on Friday, including three children."), EventKind.civilian_count)
    assert found and all(e.place is None or e.place.name != "Hamas" for e in found)


def test_a_rank_before_a_common_word_is_a_company_outside_a_report_of_war() -> None:
    """'General' before a common word names a firm ('General Motors') unless the report is of war; a rare name
    after a rank is a person anywhere, and a company word makes it a firm even in a report of war."""
    assert _surrenders("General Motors capitulated to the striking union on Friday.") == []
    assert _surrenders("General Foods surrendered to its creditors in March.") == []
    text = "Army troops guarded the plant during the siege. General Dynamics capitulated to its shareholders on Friday."
    assert _surrenders(text) == []
    text = (
        "After a month of siege, Japanese troops landed on Corregidor and General Wainwright surrendered on 6 May 1942."
    )
    assert _surrenders(text) == [("General Wainwright", None)]
    assert _surrenders("General Yamashita surrendered at Baguio in September 1945.") == [("General Yamashita", None)]


def test_a_running_total_needs_its_own_count_right_before_it_and_no_money() -> None:
    money = "The UN gave $5 million to help 2,000 displaced families in Darfur, bringing the total to $40 million."
    assert [c.min for e in of_kind(run(money), EventKind.civilian_count) if (c := e.count)] == [2000]
    other = "Shelling killed 12 civilians in Kharkiv, and NATO sent 3,000 more soldiers to Poland, bringing the total to 20,000."
    assert [c.min for e in of_kind(run(other), EventKind.civilian_count) if (c := e.count)] == [12]
