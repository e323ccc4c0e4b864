"""Quiet text in the styles a monitor also reads (diplomacy, analysis, history, aid) that uses the words of the
control, loss, handover, entry and fall frames: none of it is a change, a count or a surrender. Every sentence
here was written for these tests."""

from __future__ import annotations

import pytest

from schemas.events import EventKind

from .conftest import controls, run

_COUNTED = {
    EventKind.control_change,
    EventKind.control_state,
    EventKind.control_denial,
    EventKind.civilian_count,
    EventKind.surrender,
}

QUIET = (
    # diplomacy
    "The foreign minister handed a protest note to the Russian ambassador in Warsaw on Tuesday.",
    "Negotiators from Armenia entered the talks in Washington hoping the corridor question would be settled by Russia.",
    "The Houthis handed over the bodies of two Saudi pilots to the Red Cross in Sanaa.",
    "Sudan's army chief handed over the chairmanship of the council to a civilian in Khartoum, officials said.",
    "Sweden's parliament cleared Turkey of objections to its NATO bid.",
    # analysis
    "Ukraine lost Colonel Oleh Petrenko, a decorated commander, in fighting near Bakhmut, his brigade said.",
    "Russia's share of the wheat market fell as Ukrainian grain entered Europe through Poland.",
    "Support for the junta fell in Mandalay as prices rose and the kyat lost value.",
    "In an analysis, the institute wrote that the capture of Avdiivka would be claimed by Moscow if its offensive held.",
    "Ethiopia lost Tigray's support long before the war began.",
    "Power in the hands of the military council passed to a civilian premier, Sudanese officials said.",
    # history
    "Historians note that Vienna was besieged by the Ottomans in 1683 but never fell.",
    "The museum in Gdansk tells how the city was handed its charter in the Middle Ages.",
    "Bosnian Serbs voted in a referendum in Banja Luka on Sunday.",
    "Bakhmut fell silent on Monday as Russian forces took positions on the western edge.",
    "Khartoum fell into chaos after RSF fighters entered the city in April.",
    # aid
    "Norwegian People's Aid cleared 4,000 square metres of mines near Kharkiv, the NPA said.",
    "The ASG for humanitarian affairs entered Goma on Monday to meet displaced families.",
    "Aid trucks entered Gaza through the Rafah crossing after Israel handed the list of approved goods to the UN.",
    "The WHO handed over surgical kits to the hospital in El Fasher, which remains under siege.",
    "UNICEF said the clinic in Kramatorsk lost power after the strike and cleared rubble by Friday.",
    "Food prices in Gaza fell after aid convoys entered the enclave, the WFP said.",
    "Humanitarian access to Tigray is now under discussion with the federal government, the UN said.",
    # a country after 'held by' / 'run by' that holds no territory
    "Peace talks in Istanbul held by Turkey ended without a deal.",
    "Grain shipments from Odesa were run by Ukraine under a deal brokered by Turkey.",
)


@pytest.mark.parametrize("text", QUIET)
def test_quiet_text_gives_no_change_count_or_surrender(text: str) -> None:
    assert [e.kind for e in run(text) if e.kind in _COUNTED] == []


def test_the_same_frames_still_fire_when_a_change_is_told() -> None:
    """The restrictions above leave the frames working: a located loss, a bare fall ending its predicate, a
    nominal capture told as fact."""
    found = controls("The TPLF lost Alamata to federal forces last year, the spokesman said.")
    assert [e.place.name for e in found if e.place] == ["Alamata"]
    found = controls("Kabul fell on Sunday as Taliban fighters entered the city.")
    assert [e.actor.id for e in found if e.actor] == ["taliban"]
    assert controls("The capture of Avdiivka was claimed by Moscow on Saturday.")


def test_a_described_place_s_past_capture_is_no_change_told() -> None:
    assert controls("Avdiivka, now under Russian control, was shelled again on Monday.") == []
    assert controls("IS fighters said Mosul, the largest city they had seized, was bombed again on Monday.") == []
