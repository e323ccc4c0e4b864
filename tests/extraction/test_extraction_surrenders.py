from __future__ import annotations

from schemas.events import EventKind

from .conftest import of_kind, run


def test_completed_surrender_with_count_and_recipient() -> None:
    found = of_kind(
        run("Village elders said 85 IS fighters surrendered on Friday to the U.S.-backed forces."),
        EventKind.surrender,
    )
    assert len(found) == 1
    e = found[0]
    assert e.actor is not None and e.actor.id == "islamic-state"
    assert e.count is not None and e.count.min == 85
    assert e.to is not None and e.to.id in ("u-s-backed-forces", "sdf")


def test_surrender_without_count() -> None:
    found = of_kind(run("The besieged rebels surrendered to government troops after the talks."), EventKind.surrender)
    assert len(found) == 1 and found[0].count is None and found[0].actor is not None


def test_intentions_are_not_surrenders() -> None:
    for text in (
        "Some 300 militants are ready to surrender to the army.",
        "The commander urged the gunmen to surrender.",
        "The fighters refused to surrender.",
    ):
        assert of_kind(run(text), EventKind.surrender) == [], text


def surrenders(text: str) -> list[tuple[str | None, int | None]]:
    return [
        (e.actor.name if e.actor else None, e.count.min if e.count else None)
        for e in of_kind(run(text), EventKind.surrender)
    ]


def test_count_of_a_unit_with_a_breakdown_aside() -> None:
    got = surrenders(
        "The ministry said 640 soldiers of the 12th Rifle Brigade, including 40 officers, had surrendered."
    )
    assert got == [("12th Rifle Brigade", 640)]


def test_laid_down_their_arms_with_count() -> None:
    assert surrenders("Officials said 75 gunmen laid down their arms near the dam.") == [("gunmen", 75)]


def test_bare_group_binds_to_an_earlier_surrender_and_takes_the_count_after() -> None:
    got = surrenders(
        "The army said the last unit of Ardanian fighters in the fortress had surrendered. "
        "Guards searched them at the gate. "
        "The group that surrendered numbered 212 people, it added."
    )
    assert got == [("Ardanian fighters", 212)]


def test_surrender_of_a_proper_name() -> None:
    assert surrenders("The campaign closed with the surrender of the breakaway Republic of Westland.") == [
        ("Republic of Westland", None)
    ]


def test_possessor_is_not_the_one_surrendering_and_units_are_no_head_count() -> None:
    assert surrenders("Staff at the regime's Northern Regional Command surrendered to the rebels.") == [
        ("Northern Regional Command", None)
    ]
    assert surrenders("Three army battalions under the Eastern Command surrendered on Monday.") == [
        ("Eastern Command", None)
    ]


def test_handing_over_a_place_is_not_a_surrender_of_people() -> None:
    assert surrenders("The garrison surrendered its headquarters to the rebels.") == []


def test_a_commander_surrendering_his_men() -> None:
    assert surrenders("General Paulus surrendered the remaining 91,000 men of the Sixth Army in February 1943.") == [
        ("Sixth Army", 91000)
    ]
    got = of_kind(run("The colonel surrendered his garrison of 3,000 troops to M23 near Goma."), EventKind.surrender)
    assert [(e.count.min if e.count else None, e.to.id if e.to else None) for e in got] == [(3000, "m23")]


def test_surrendering_sides_outside_the_lexicon() -> None:
    assert surrenders("The presidential guard surrendered to the rebels.") == [("presidential guard", None)]
    assert surrenders("Two NDFB leaders have surrendered to the Indian Army.") == [("NDFB", 2)]
    assert surrenders("Two senior leaders of the NDFB surrendered to the army at Kokrajhar.") == [("NDFB", 2)]
    # the LTTE is in the lexicon since the control branch added the sides of other eras
    assert surrenders("Three LTTE cadres surrendered to Sri Lankan troops near Vavuniya.") == [
        ("Tamil Tigers (LTTE)", 3)
    ]


def test_a_single_fighter_is_a_count_of_one() -> None:
    got = surrenders("An ELN fighter surrendered to the army in Arauca.")
    assert [n for _, n in got] == [1]


def test_a_commander_alone_and_places_handed_over_are_no_surrender_of_men() -> None:
    assert surrenders("The rebels surrendered the airport to the army.") == []
    assert surrenders("A spokesman said the fighters would surrender.") == []


def test_may_the_month_is_no_modal() -> None:
    assert surrenders("In May 1945 the garrison of the fortress surrendered to the Soviets.") == [
        ("the garrison", None)
    ]
    assert surrenders("The garrison may surrender to the Soviets.") == []


def test_capitulations_and_weapons_laid_down() -> None:
    assert surrenders("Hundreds of militiamen have laid down their weapons in Ituri.") == [("militiamen", 200)]
    assert surrenders("Some 80 FDLR combatants handed over their weapons to the peacekeepers.") == [("FDLR", 80)]
    assert [n for _, n in surrenders("A former commander of the group gave himself up to police in Kabul.")] == [1]
    assert len(surrenders("The garrison of Sevastopol capitulated on 9 May.")) == 1


def test_one_surrender_told_twice_with_its_count_is_one_event() -> None:
    text = (
        "The ministry said 640 soldiers of the 12th Rifle Brigade had surrendered. "
        '"In the port, 640 Ardanian soldiers of the 12th Rifle Brigade laid down arms," it said.'
    )
    assert [n for _, n in surrenders(text)] == [640]


def _surrender(text: str) -> tuple[str, int | None] | None:
    found = of_kind(run(text), EventKind.surrender)
    if not found or found[0].actor is None:
        return None
    count = found[0].count.min if found[0].count is not None else None
    return found[0].actor.name, count


def test_defenders_and_a_garrison_surrender_as_a_side() -> None:
    assert _surrender("Around 1,800 Georgian defenders of the airfield surrendered, the ministry said.") == (
        "Georgian defenders",
        1800,
    )
    got = _surrender("The defenders of the citadel capitulated to the besieging army after a month.")
    assert got is not None and "defenders" in got[0], got


def test_a_count_set_off_by_commas_keeps_the_side_named_before_it() -> None:
    assert _surrender("The second regiment, some 900 men, surrendered to the insurgents at dawn.") == (
        "second regiment",
        900,
    )


def test_a_country_inside_a_place_name_is_not_the_side_that_surrendered() -> None:
    got = _surrender("The Japanese garrison on New Britain surrendered to an Australian brigade.")
    assert got is not None and got[0] == "Japanese forces", got  # a nationality's garrison is its state's forces
    got = _surrender("The Argentine garrison on South Georgia surrendered after a brief exchange of fire.")
    assert got is not None and got[0] == "Argentine forces", got


def test_who_accepted_a_surrender_is_whom_it_was_made_to() -> None:
    found = of_kind(run("The army accepted the surrender of 150 Mai-Mai fighters in Uvira."), EventKind.surrender)
    assert len(found) == 1 and found[0].to is not None and found[0].count is not None and found[0].count.min == 150
    assert found[0].to.id == "fardc", found[0].to


def test_giving_up_without_a_fight_is_a_surrender() -> None:
    assert _surrender("Nearly 1,500 conscripts gave up without a fight, officers said.") is not None


def test_a_vague_count_before_a_named_group_of_several_words() -> None:
    assert surrenders("Dozens of Ansar Dine fighters surrendered to the army near Gao.") == [("Ansar Dine", 24)]
