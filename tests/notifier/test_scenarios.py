"""Scenarios with exact expected alert lists, on the real Redis, group wait 0 unless said otherwise."""

from __future__ import annotations

import redis

from services import keys
from tests.notifier.conftest import NotifierFactory, alerts, drain, event, kinds, push


def test_capture_corroboration_recapture_denial_and_history(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    nahda = "raqqa/al-nahda"
    push(
        r,
        event("control_change", nahda, "sdf", "islamic-state", stance="claimed", organisation="SDF"),
        "2017-10-14T15:00:00Z",
        source="Field desk",
    )
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda)]
    first = alerts(r)[0]
    assert first["data"]["summary"] == (
        "Control of al-Nahda (Raqqa): Islamic State → SDF, claimed by the SDF, 2017-10-14; 1 independent source"
    )
    # A second outlet on the same capture: more evidence, no new alert.
    push(r, event("control_change", nahda, "sdf", "islamic-state"), "2017-10-14T18:00:00Z", source="Radio desk")
    # A denial and a historical mention: no alert.
    push(r, event("control_change", nahda, "sdf", stance="denied"), "2017-10-15T09:00:00Z", source="Amaq")
    push(r, event("control_change", nahda, "islamic-state", historical=True, day="2014-01-13"), "2017-10-15T10:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda)]
    situation = r.get(keys.situation(nahda))
    assert situation is not None and b'"contested":true' in situation and b'"independent_sources":2' in situation
    # The recapture: a new alert and a notice that the earlier one is superseded.
    push(r, event("control_change", nahda, "islamic-state", "sdf"), "2017-10-16T08:00:00Z", source="Field desk")
    drain(notifier)
    assert kinds(r) == [("control_changed", nahda), ("control_changed", nahda), ("superseded", nahda)]
    recapture, notice = alerts(r)[1:]
    assert "SDF → Islamic State" in recapture["data"]["summary"]
    assert notice["data"]["supersedes"] == first["data"]["fingerprint"]
    assert notice["data"]["summary"].startswith("Superseded: SDF no longer holds al-Nahda (Raqqa)")
