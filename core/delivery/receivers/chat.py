"""Slack and Mattermost incoming webhooks: one message per alert that reads well in a channel.

Slack gets Block Kit (a header, the summary, the facts as fields, links) with a plain `text` for
notifications; Mattermost gets Markdown in `text`. Both hooks answer 200 on success; a 410 (an
archived channel) disables the subscription as for webhooks, anything else is retried.
"""

from __future__ import annotations

from typing import Any

import orjson

from core.delivery import addresses, http_post
from core.delivery.http_post import Answer
from core.delivery.messages import Message, fit, markdown_escape, slack_escape
from core.delivery.subscriptions import Subscription
from core.errors import AddressRefused
from core.settings import DeliverySettings

USER_AGENT = "sitrep-receivers/0.1"
SLACK_FIELDS_MAX = 10
"""Slack refuses a section with more fields than this."""
FIELD_MAX = 2000
SECTION_MAX = 3000
"""Slack's limits on a field's and a section's text; values are cut before escaping to fit them."""


def _slack_link(url: str, label: str) -> str:
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{label}>"


def slack_payload(message: Message, channel: str | None = None, username: str | None = None) -> dict[str, Any]:
    """Block Kit for a Slack incoming webhook, every value escaped for mrkdwn."""
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{slack_escape(fit(value, FIELD_MAX - len(label) - 3, slack_escape))}"}
        for label, value in message.facts()[:SLACK_FIELDS_MAX]
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.headline[:150]}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": slack_escape(fit(message.summary, SECTION_MAX, slack_escape)) or " "},
        },
        {"type": "section", "fields": fields},
    ]
    links = [
        _slack_link(url, label)
        for url, label in ((message.report_link, "Report"), (message.situation_link, "Situation"))
        if url
    ]
    if links:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(links)}]})
    payload: dict[str, Any] = {"text": slack_escape(f"{message.headline}: {message.summary}"), "blocks": blocks}
    if channel:
        payload["channel"] = channel
    if username:
        payload["username"] = username
    return payload


def mattermost_payload(message: Message, channel: str | None = None, username: str | None = None) -> dict[str, Any]:
    """Markdown for a Mattermost incoming webhook, every value escaped."""
    lines = [f"#### {markdown_escape(message.headline)}", markdown_escape(message.summary), ""]
    lines += [f"**{label}:** {markdown_escape(value)}  " for label, value in message.facts()]
    links = [
        f"[{label}]({url.replace(')', '%29')})"
        for url, label in ((message.report_link, "Report"), (message.situation_link, "Situation"))
        if url
    ]
    if links:
        lines += ["", " · ".join(links)]
    payload: dict[str, Any] = {"text": "\n".join(lines)}
    if channel:
        payload["channel"] = channel
    if username:
        payload["username"] = username
    return payload


def deliver(settings: DeliverySettings, subscription: Subscription, message: Message) -> Answer:
    """POST the message to the hook (its URL is a secret: never in a recorded error)."""
    assert subscription.url is not None
    options = subscription.slack if subscription.type == "slack" else subscription.mattermost
    channel, username = (options.channel, options.username) if options is not None else (None, None)
    make = slack_payload if subscription.type == "slack" else mattermost_payload
    body = orjson.dumps(make(message, channel, username))
    try:
        targets = addresses.pin(subscription.url, settings.webhook_allow_private_addresses)
    except AddressRefused as refused:
        return Answer(None, f"not sent: {str(refused).replace(subscription.url, subscription.target)}")
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    return http_post.send(targets, body, headers, settings.webhook_timeout_seconds)
