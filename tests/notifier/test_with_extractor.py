"""The notifier on events from the real extractor: the summaries an analyst reads, and what stays quiet."""

from __future__ import annotations

from datetime import datetime

import redis

from tests.notifier.conftest import NotifierFactory, alerts, drain, push
from workers.extraction.extract import extract_events

REPORTS = [
    (
        "ext-1",
        "Desk one",
        "2017-10-14T15:00:00+00:00",
        "The Syrian Democratic Forces captured the al-Nahda neighborhood in western Raqqa from the Islamic State "
        "group on Saturday, SDF spokesman Mustafa Bali said. Aid groups say an estimated 4,000 civilians remain trapped inside the city.",
    ),
    (
        "ext-2",
        "Desk two",
        "2017-10-15T09:00:00+00:00",
        "In 2014 Islamic State militants seized Raqqa and later named it the capital of their caliphate.",
    ),
    (
        "ext-3",
        "Desk three",
        "2017-10-16T09:00:00+00:00",
        "Aid workers said about 300 civilians remain trapped in Raqqa after many left on foot overnight.",
    ),
]


def test_real_extractor_events_give_the_expected_alerts_and_summaries(
    r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    notifier = make_notifier()
    for report_id, source, published, text in REPORTS:
        for item in extract_events(text, datetime.fromisoformat(published), report_id):
            push(r, item, published, source=source, report_id=report_id)
    drain(notifier)
    summaries = [(alert["type"], alert["subject"], alert["data"]["summary"]) for alert in alerts(r)]
    assert summaries == [
        (
            "sitrep.alert.control_changed",
            "raqqa/al-nahda",
            "Control of al-Nahda (Raqqa): Islamic State → Syrian Democratic Forces, claimed by the Syrian Democratic "
            "Forces (spokesman Mustafa Bali), 2017-10-14; 1 independent source",
        ),
        (
            "sitrep.alert.civilian_threshold",
            "raqqa",
            "Civilians trapped in Raqqa: none known → 4,000, above 1,000; reported by Desk one, 2017-10-14",
        ),
        (
            "sitrep.alert.resolved",
            "raqqa",
            "Civilians trapped in Raqqa: 4,000 → 300, back under 1,000; reported by Desk three, 2017-10-16",
        ),
    ]
