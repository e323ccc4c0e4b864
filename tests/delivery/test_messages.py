"""What a person reads, for each kind of alert and each format: no Redis, no network."""

from __future__ import annotations

import json
import re
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
    assert "<@U123>" not in slack and "&lt;@\\u200bU123&gt;" in slack and "<script>" not in slack
    mattermost = chat.mattermost_payload(message)["text"]
    assert "\\*bold\\* \\[x\\]\\(http://evil\\) \\<@\u200bU123\\>" in mattermost
    sent = telegram.payload(message, "@desk_channel", False)
    assert "<script>" not in sent["text"] and "&lt;script&gt;" in sent["text"] and sent["chat_id"] == "@desk_channel"


def test_a_telegram_message_fits_its_limit() -> None:
    long = _alert(civilian_alert("fp"), summary="word " * 2000, sources=[f"outlet {n}" for n in range(400)])
    sent = telegram.payload(messages.build(long, PUBLIC), "-100123", True)
    assert len(sent["text"]) <= telegram.TEXT_MAX and sent["chat_id"] == -100123 and sent["disable_notification"]
    assert sent["text"].startswith("<b>Civilians trapped: Raqqa</b>")


def _entities_whole(text: str) -> bool:
    """Every `&` starts one of the entities html.escape writes: a slice through one would leave a stray `&`."""
    return all(re.match(r"&(amp|lt|gt|quot|#x27);", text[at:]) for at in range(len(text)) if text[at] == "&")


def test_a_long_telegram_message_is_cut_in_the_values_never_in_its_html_and_counted_in_utf16() -> None:
    # Each "&" is five characters once escaped and each emoji two UTF-16 units: a cut that sliced the
    # HTML, or counted code points, would break an entity or go over Telegram's limit.
    summary = "Shelling & fire 🔥 " * 400
    long = _alert(civilian_alert("fp"), summary=summary, sources=["Desk <A> & partners 🛰"] * 300)
    long["data"]["place"]["name"] = "Raqqa & its environs 🔥 " * 200  # in the headline and the Place line
    text = telegram.payload(messages.build(long, PUBLIC), "-100123", False)["text"]
    assert messages.utf16_units(text) <= telegram.TEXT_MAX
    assert len(text) < messages.utf16_units(text)  # the emoji counted twice
    assert _entities_whole(text) and text.count("<b>") == text.count("</b>") == 6
    assert text.startswith("<b>Civilians trapped: Raqqa &amp; its environs 🔥")
    assert "…</b>\nShelling &amp; fire 🔥" in text and "\n<b>Place:</b> Raqqa &amp; its environs" in text
    assert "<b>Sources:</b> Desk &lt;A&gt; &amp; partners 🛰" in text and "<b>Reported:</b> 2017-10-14" in text
    assert text.endswith(f'<a href="{PUBLIC}v1/reports/field-desk%3Ar-17">Report</a>')


def test_slack_fields_are_cut_before_escaping() -> None:
    ampersands = _alert(civilian_alert("fp"), summary="&" * 3000, sources=["&" * 2500])
    payload = chat.slack_payload(messages.build(ampersands, PUBLIC))
    section, fields = payload["blocks"][1]["text"]["text"], payload["blocks"][2]["fields"]
    assert len(section) <= chat.SECTION_MAX and section.endswith("&amp;…") and _entities_whole(section)
    (sources,) = [field["text"] for field in fields if field["text"].startswith("*Sources*")]
    assert len(sources) <= chat.FIELD_MAX and sources.endswith("&amp;…") and _entities_whole(sources)


def test_mentions_in_report_text_ping_nobody_in_chat() -> None:
    loud = _alert(civilian_alert("fp"), summary="@channel @here @all: ask @desk_lead", sources=["@newswire"])
    message = messages.build(loud, PUBLIC)
    slack = chat.slack_payload(message)
    mattermost = chat.mattermost_payload(message)["text"]
    sent = telegram.payload(message, "-100123", False)["text"]
    for text in (slack["text"], slack["blocks"][1]["text"]["text"], mattermost, sent):
        assert re.search(r"@(channel|here|all|desk_lead)", text) is None, text
        assert "@\u200bchannel" in text and "@\u200bdesk\\_lead" in text or "@\u200bdesk_lead" in text
    assert "@\u200bnewswire" in json.dumps(slack, ensure_ascii=False) and "@\u200bnewswire" in sent
    assert "@channel" in messages.plain_text(message)  # mail and Alertmanager ping nobody: left as written


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
    assert (
        alertmanager.endpoint("https://am.example.org/tenant?org=7")
        == "https://am.example.org/tenant/api/v2/alerts?org=7"
    )
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
