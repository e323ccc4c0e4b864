"""Telegram bot messages: `sendMessage` in HTML mode, one per alert, to one chat.

The bot token is in the request path, so it is sealed at rest, never shown, and kept out of logs
(core/delivery/http_post.py logs no URL's path). A 429 carries `retry_after`, which the next
attempt waits for at least.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import orjson

from core.delivery import addresses, http_post
from core.delivery.http_post import Answer
from core.delivery.messages import Message, fit, telegram_escape, telegram_html, utf16_units
from core.delivery.subscriptions import Subscription
from core.errors import AddressRefused
from core.settings import DeliverySettings

TEXT_MAX = 4096
"""Telegram's limit on one message's text."""
_TOKEN_IN_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_RETRY_AFTER = re.compile(r'"retry_after"\s*:\s*(\d+)')


_SHORTENED = ("headline", "summary", "place", "change", "civilians", "evidence", "sources")
"""The values cut when a message is over Telegram's limit (labels, links and the date are kept)."""


def shortened(message: Message, limit: int = TEXT_MAX) -> str:
    """Telegram HTML of at most `limit` UTF-16 units. Each value is cut before it is escaped (a slice
    of the HTML could split an entity or a tag, and Telegram refuses the whole message then); the room
    is shared so short values stay whole and the longest are cut most."""
    text = telegram_html(message)
    if utf16_units(text) <= limit:
        return text
    values = {
        name: ", ".join(message.sources) if name == "sources" else getattr(message, name) or "" for name in _SHORTENED
    }
    sizes = {name: utf16_units(telegram_escape(value)) for name, value in values.items()}
    room = limit - (utf16_units(text) - sum(sizes.values())) - len(values)  # a unit each for a cut's rounding
    budgets: dict[str, int] = {}
    by_size = sorted(values, key=lambda name: sizes[name])
    for index, name in enumerate(by_size):
        budgets[name] = max(min(sizes[name], room // (len(by_size) - index)), 0)
        room -= budgets[name]
    cut: dict[str, Any] = {
        name: fit(value, budgets[name], telegram_escape, utf16_units) for name, value in values.items()
    }
    cut["sources"] = [cut["sources"]] if cut["sources"] else []
    text = telegram_html(replace(message, **cut))
    if utf16_units(text) > limit:  # a limit too small for the labels themselves
        text = telegram_html(replace(message, **cut, report_link=None, when=""))
    return text


def payload(message: Message, chat_id: str, disable_notification: bool) -> dict[str, Any]:
    return {
        "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
        "text": shortened(message),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "disable_notification": disable_notification,
    }


def deliver(settings: DeliverySettings, subscription: Subscription, message: Message) -> Answer:
    options = subscription.telegram
    assert options is not None
    url = f"{str(options.api_url).rstrip('/')}/bot{options.bot_token}/sendMessage"
    body = orjson.dumps(payload(message, options.chat_id, options.disable_notification))
    try:
        targets = addresses.pin(url, settings.webhook_allow_private_addresses)
    except AddressRefused as refused:
        return Answer(None, f"not sent: {_TOKEN_IN_PATH.sub('/bot…', str(refused))}")
    answer = http_post.send(targets, body, {"content-type": "application/json"}, settings.webhook_timeout_seconds)
    if answer.error and (found := _RETRY_AFTER.search(answer.error)):
        wait = min(float(found.group(1)), http_post.MAX_RETRY_AFTER_SECONDS)
        return Answer(answer.code, answer.error, max(wait, answer.retry_after or 0.0))
    return answer
