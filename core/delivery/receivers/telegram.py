"""Telegram bot messages: `sendMessage` in HTML mode, one per alert, to one chat.

The bot token is in the request path, so it is sealed at rest, never shown, and kept out of logs:
httpx's request log line is rewritten to hide it. A 429 carries `retry_after`, which the next
attempt waits for at least.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson

from core.delivery import addresses, http_post
from core.delivery.http_post import Answer
from core.delivery.messages import Message, telegram_html
from core.delivery.subscriptions import Subscription
from core.errors import AddressRefused
from core.settings import DeliverySettings

TEXT_MAX = 4096
"""Telegram's limit on one message's text."""
_TOKEN_IN_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_RETRY_AFTER = re.compile(r'"retry_after"\s*:\s*(\d+)')


class _HideTokens(logging.Filter):
    """Blank bot tokens out of log records (httpx logs each request's URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/bot…", str(arg)) if "/bot" in str(arg) else arg for arg in record.args
            )
        if isinstance(record.msg, str) and "/bot" in record.msg:
            record.msg = _TOKEN_IN_PATH.sub("/bot…", record.msg)
        return True


logging.getLogger("httpx").addFilter(_HideTokens())


def payload(message: Message, chat_id: str, disable_notification: bool) -> dict[str, Any]:
    text = telegram_html(message)
    if len(text) > TEXT_MAX:
        text = telegram_html(
            Message(
                kind=message.kind,
                headline=message.headline,
                summary=message.summary[:1000],
                place=message.place,
                change=message.change,
                civilians=message.civilians,
                evidence=message.evidence,
                sources=message.sources[:10],
                when=message.when,
                report_link=message.report_link,
            )
        )[:TEXT_MAX]
    return {
        "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
        "text": text,
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
