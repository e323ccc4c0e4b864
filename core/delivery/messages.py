"""An alert as a person reads it: place, what changed from what to what, civilians, sources, a link.

One `Message` is made per alert and rendered for each receiver (plain text, HTML, Slack mrkdwn,
Markdown, Telegram HTML), so a desk reading email and one reading Slack are told the same thing.
Every value from the alert is escaped for the format it goes into.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

TYPE_PREFIX = "sitrep.alert."

_HEADLINES = {
    "control_changed": "Control changed",
    "control_baseline": "Who holds",
    "civilian_threshold": "Civilians",
    "civilian_change": "Civilians",
    "superseded": "Superseded",
    "resolved": "Resolved",
}


@dataclass(frozen=True)
class Message:
    """The parts of a message; renderers lay them out."""

    kind: str
    headline: str
    summary: str
    place: str
    change: str | None
    civilians: str | None
    evidence: str | None
    sources: list[str] = field(default_factory=list)
    when: str = ""
    report_link: str | None = None
    situation_link: str | None = None

    def facts(self) -> list[tuple[str, str]]:
        """(label, value) lines every format shows, in order."""
        lines = [("Place", self.place)]
        if self.change:
            lines.append(("Change", self.change))
        if self.civilians:
            lines.append(("Civilians", self.civilians))
        if self.evidence:
            lines.append(("Evidence", self.evidence))
        lines.append(("Sources", ", ".join(self.sources) or "none named"))
        if self.when:
            lines.append(("Reported", self.when))
        return lines


def place_words(alert: dict[str, Any]) -> str:
    """`al-Nahda (Raqqa)`, as the notifier's summaries name a place."""
    data = alert.get("data") or {}
    place = data.get("place") or {}
    name = str(place.get("name") or alert.get("subject") or "an unknown place")
    parent = place.get("parent")
    return f"{name} ({parent})" if parent else name


def _count(value: Any) -> str | None:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else None


def _range(state: dict[str, Any] | None) -> str | None:
    if not state:
        return None
    if (value := _count(state.get("value"))) is not None:
        return value
    low, high = _count(state.get("min")), _count(state.get("max"))
    if low and high and low != high:
        return f"{low}–{high}"
    return low or high


def _civilians(kind: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(what changed, the count now) of a civilian alert."""
    category = data.get("category")
    if not category:
        return None, None
    after = data.get("after") or {}
    now = _count(data.get("value")) or _range(after) or "unknown"
    before = _range(data.get("before")) or _count(data.get("previous_value")) or "none known"
    words = f"{now} {category}"
    if after.get("kind") == "flow":
        words += " in all"
    level = _count(data.get("level"))
    if kind == "civilian_threshold" and level:
        words += f" (above {level})"
    elif kind == "resolved" and level:
        words += f" (back under {level})"
    elif kind == "civilian_change" and isinstance(data.get("percent"), int | float):
        words += f" ({data['percent']:g}% change)"
    return f"{before} → {now} {category}", words


def _control(kind: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(who held it → who holds it, the evidence) of a control alert."""
    after = data.get("after") or {}
    before = data.get("before") or {}
    holder = after.get("controller_name") or after.get("controller")
    if not holder:
        return None, None
    if kind == "control_baseline":
        change = f"held by {holder}"
    else:
        # A superseded notice's `before` is the notified state (an id only); the new state names who it replaced.
        was = before.get("controller_name") or after.get("previous_name") or before.get("controller") or "unknown"
        change = f"{was} → {holder}"
    evidence = []
    if after.get("claimed_by"):
        evidence.append(str(after["claimed_by"]))
    sources = after.get("independent_sources")
    if isinstance(sources, int):
        evidence.append(f"{sources} independent source{'' if sources == 1 else 's'}")
    if isinstance(after.get("confidence"), int | float):
        evidence.append(f"confidence {after['confidence']:.2f}")
    if after.get("contested"):
        evidence.append("contested")
    return change, "; ".join(evidence) or None


def build(alert: dict[str, Any], public_url: str | None) -> Message:
    """The message for one alert (CloudEvents JSON as a dict); links point at `public_url`'s API."""
    data: dict[str, Any] = alert.get("data") or {}
    kind = str(alert.get("type", "")).removeprefix(TYPE_PREFIX)
    place = place_words(alert)
    change, civilians = _civilians(kind, data)
    evidence = None
    if civilians is None:
        change, evidence = _control(kind, data)
    headline = _HEADLINES.get(kind, "Alert")
    if kind in ("civilian_threshold", "civilian_change") and data.get("category"):
        headline = f"Civilians {data['category']}"
    elif kind == "resolved" and data.get("category"):
        headline = f"Resolved: civilians {data['category']}"
    if data.get("repeat"):
        headline = f"Still holds: {headline.lower()}"
    base = public_url.rstrip("/") if public_url else None
    reports = [str(report) for report in data.get("reports") or []]
    subject = str(alert.get("subject") or "")
    return Message(
        kind=kind,
        headline=f"{headline}: {place}",
        summary=str(data.get("summary") or ""),
        place=place,
        change=change,
        civilians=civilians,
        evidence=evidence,
        sources=[str(source) for source in data.get("sources") or []],
        when=str(alert.get("time") or "")[:10],
        report_link=f"{base}/v1/reports/{quote(reports[-1], safe='')}" if base and reports else None,
        situation_link=f"{base}/v1/situation/{quote(subject, safe='/')}" if base and subject else None,
    )


def plain_text(message: Message) -> str:
    """For email's text part and Alertmanager's description."""
    lines = [message.headline, "", message.summary, ""]
    lines += [f"{label}: {value}" for label, value in message.facts()]
    if message.report_link:
        lines += ["", f"Report: {message.report_link}"]
    if message.situation_link:
        lines.append(f"Situation: {message.situation_link}")
    return "\n".join(lines) + "\n"


def html_body(message: Message) -> str:
    """For email's HTML part: every value escaped, links as anchors."""
    e = html.escape
    rows = "".join(
        f'<tr><th align="left" style="padding-right:1em">{e(label)}</th><td>{e(value)}</td></tr>'
        for label, value in message.facts()
    )
    links = []
    if message.report_link:
        links.append(f'<a href="{e(message.report_link)}">the report</a>')
    if message.situation_link:
        links.append(f'<a href="{e(message.situation_link)}">the situation</a>')
    more = f"<p>Read {' and '.join(links)}.</p>" if links else ""
    return (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f"<h2>{e(message.headline)}</h2><p>{e(message.summary)}</p><table>{rows}</table>{more}</body></html>"
    )


NO_MENTION = "\u200b"
"""A zero-width space put after every `@` of a value in chat: `@channel`, `@all`, `@here` or `@user` in a
report must not ping a whole channel or a person."""


def defuse_mentions(text: str) -> str:
    return text.replace("@", "@" + NO_MENTION)


def slack_escape(text: str) -> str:
    """Slack's mrkdwn needs only &, < and > escaped (they start links and mentions); `@` is defused."""
    return defuse_mentions(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|~<>"


def markdown_escape(text: str) -> str:
    """Markdown (Mattermost) with every character that could format or link escaped; `@` is defused."""
    return defuse_mentions("".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text))


def telegram_escape(text: str) -> str:
    """A value in Telegram's HTML mode: escaped, `@` defused."""
    return defuse_mentions(html.escape(text))


ELLIPSIS = "…"


def utf16_units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (a character beyond the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(value: str, limit: int, escape: Callable[[str], str], measure: Callable[[str], int] = len) -> str:
    """`value` cut (with an ellipsis) so its escaped form measures at most `limit`: cutting the raw value
    before escaping never splits an entity such as `&amp;`."""
    if measure(escape(value)) <= limit:
        return value
    room = limit - measure(escape(ELLIPSIS))
    kept: list[str] = []
    used = 0
    for char in value:
        width = measure(escape(char))
        if used + width > room:
            break
        kept.append(char)
        used += width
    return "".join(kept) + ELLIPSIS


def telegram_html(message: Message) -> str:
    """Telegram's HTML mode: <b> and <a> only, every value escaped."""
    e = telegram_escape
    lines = [f"<b>{e(message.headline)}</b>", e(message.summary), ""]
    lines += [f"<b>{html.escape(label)}:</b> {e(value)}" for label, value in message.facts()]
    if message.report_link:
        lines += ["", f'<a href="{html.escape(message.report_link)}">Report</a>']
    return "\n".join(lines)


def parse(body: bytes | str) -> dict[str, Any] | None:
    """The alert a delivery holds, or None if it is not a JSON object (nothing can be said of it then)."""
    try:
        alert = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return alert if isinstance(alert, dict) else None
