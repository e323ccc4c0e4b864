"""What a person reads, for each kind of alert and each format: no Redis, no network."""

from __future__ import annotations

import json
from typing import Any

from core.delivery import messages
from core.delivery.receiver_settings import AlertmanagerSettings
from core.delivery.receivers import alertmanager, chat, telegram
from tests.delivery.receivers import civilian_alert, control_alert

PUBLIC = "https://sitrep.example.org/"


def _alert(payload: str, **data: Any) -> dict[str, Any]:
    alert: dict[str, Any] = json.loads(payload)
    alert["data"].update(data)
    return alert


def test_a_control_change_says_from_whom_to_whom_on_what_evidence_with_links() -> None:
    message = messages.build(json.loads(control_alert("fp", "Syrian Democratic Forces", "Islamic State")), PUBLIC)
    assert message.headline == "Control changed: al-Nahda (Raqqa)"
    assert message.change == "Islamic State → Syrian Democratic Forces"
    assert message.evidence == "claimed by the Syrian Democratic Forces; 2 independent sources; confidence 0.80"
    assert message.report_link == "https://sitrep.example.org/v1/reports/field-desk%3Ar-18"
    assert message.situation_link == "https://sitrep.example.org/v1/situation/raqqa/al-nahda"
    text = messages.plain_text(message)
    assert text.splitlines()[:3] == ["Control changed: al-Nahda (Raqqa)", "", message.summary]
    assert "Place: al-Nahda (Raqqa)\nChange: Islamic State → Syrian Democratic Forces\n" in text


def test_counts_say_the_number_the_category_and_the_level() -> None:
    up = messages.build(json.loads(civilian_alert("fp")), PUBLIC)
    assert (up.headline, up.change, up.civilians) == (
        "Civilians trapped: Raqqa",
        "none known → 4,000 trapped",
        "4,000 trapped (above 1,000)",
    )
    down = messages.build(json.loads(civilian_alert("fp2", kind="resolved", value=400, resolves="fp")), PUBLIC)
    assert (down.headline, down.change, down.civilians) == (
        "Resolved: civilians trapped: Raqqa",
        "4,000 → 400 trapped",
        "400 trapped (back under 1,000)",
    )
    killed = _alert(
        civilian_alert("fp3", kind="civilian_change", value=53),
        category="killed",
        percent=307.7,
        previous_value=13,
        before={"value": 13},
        after={"category": "killed", "kind": "flow", "min": 40, "max": 40, "totals": {"all": 53}},
        repeat=2,
    )
    change = messages.build(killed, None)
    assert change.headline == "Still holds: civilians killed: Raqqa"
    assert change.civilians == "53 killed in all (307.7% change)" and change.change == "13 → 53 killed"
    assert change.report_link is None and change.situation_link is None  # no public URL: no links


def test_every_format_escapes_what_came_from_reports() -> None:
    hostile = _alert(
        control_alert("fp", "<script>alert(1)</script>", "A & B"), sources=["*bold* [x](http://evil) <@U123>"]
    )
    message = messages.build(hostile, PUBLIC)
    page = messages.html_body(message)
    assert "<script>" not in page and "&lt;script&gt;" in page and "A &amp; B" in page
    slack = json.dumps(chat.slack_payload(message))
    assert "<@U123>" not in slack and "&lt;@U123&gt;" in slack and "<script>" not in slack
    mattermost = chat.mattermost_payload(message)["text"]
    assert "\\*bold\\* \\[x\\]\\(http://evil\\) \\<@U123\\>" in mattermost
    sent = telegram.payload(message, "@desk_channel", False)
    assert "<script>" not in sent["text"] and "&lt;script&gt;" in sent["text"] and sent["chat_id"] == "@desk_channel"


def test_a_telegram_message_fits_its_limit() -> None:
    long = _alert(civilian_alert("fp"), summary="word " * 2000, sources=[f"outlet {n}" for n in range(400)])
    sent = telegram.payload(messages.build(long, PUBLIC), "-100123", True)
    assert len(sent["text"]) <= telegram.TEXT_MAX and sent["chat_id"] == -100123 and sent["disable_notification"]
    assert sent["text"].startswith("<b>Civilians trapped: Raqqa</b>")


def test_alertmanager_labels_identify_the_state_and_its_place() -> None:
    options = AlertmanagerSettings(labels={"team": "levant"})
    sdf = json.loads(control_alert("fp", "Syrian Democratic Forces", "Islamic State"))
    isis = json.loads(control_alert("fp2", "Islamic State", "Syrian Democratic Forces"))
    assert alertmanager.identity(sdf) == alertmanager.identity(isis) == "control\nraqqa/al-nahda\n"
    assert alertmanager.labels(sdf, options)["controller"] != alertmanager.labels(isis, options)["controller"]
    built = alertmanager.build(sdf, options, PUBLIC, now=2e9)
    assert built["startsAt"] == "2017-10-14T15:00:00.000Z" and "endsAt" not in built
    assert built["labels"]["team"] == "levant" and built["labels"]["severity"] == "critical"
    assert alertmanager.endpoint("http://am:9093/") == "http://am:9093/api/v2/alerts"
    assert alertmanager.endpoint("http://am:9093/api/v2/alerts") == "http://am:9093/api/v2/alerts"
    future = alertmanager.build(_alert(civilian_alert("fp3")) | {"time": "2099-01-01T00:00:00Z"}, options, PUBLIC, 2e9)
    assert future["startsAt"] == "2033-05-18T03:33:20.000Z"  # never in the future: now at the latest


def test_a_superseded_notice_names_both_holders() -> None:
    notice = _alert(
        control_alert("fp3", "Islamic State", "Syrian Democratic Forces", "superseded", "fp"),
        before={"controller": "syrian-democratic-forces", "since": "2017-10-14T00:00:00+00:00"},
    )
    notice["data"]["after"]["previous_name"] = "Syrian Democratic Forces"
    message = messages.build(notice, PUBLIC)
    assert message.headline == "Superseded: al-Nahda (Raqqa)"
    assert message.change == "Syrian Democratic Forces → Islamic State"
