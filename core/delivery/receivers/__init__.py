"""Receivers beside signed webhooks: each subscription type's formatter and sender.

`send` is what a delivery attempt calls for a subscription that is not a signed webhook; the attempt
around it (records, retries with backoff, pauses, replay) is the same for every type
(core/delivery/webhooks.py).
"""

from __future__ import annotations

import redis

from core.delivery import messages
from core.delivery.http_post import Answer
from core.delivery.receivers import alertmanager, chat, email, telegram
from core.delivery.subscriptions import Subscription
from core.settings import DeliverySettings


def send(
    connection: redis.Redis,
    settings: DeliverySettings,
    subscription: Subscription,
    identifier: str,
    body: bytes,
    stream_id: str | None = None,
) -> Answer:
    """One attempt of delivery `identifier` (the alert's CloudEvents JSON in `body`, logged at `stream_id`)
    to its receiver."""
    if subscription.secret_problem:  # sealed with a key this process lacks: retried once the keys are fixed
        return Answer(None, f"not sent: {subscription.secret_problem}")
    if subscription.type == "alertmanager":
        return alertmanager.deliver(connection, settings, subscription, body, stream_id)
    alert = messages.parse(body)
    if alert is None:
        return Answer(None, "not sent: the alert is not a JSON object")
    message = messages.build(alert, settings.public_url)
    if subscription.type in ("slack", "mattermost"):
        return chat.deliver(settings, subscription, message)
    if subscription.type == "email":
        return email.deliver(settings, subscription, message, identifier)
    if subscription.type == "telegram":
        return telegram.deliver(settings, subscription, message)
    return Answer(None, f"not sent: no receiver for type {subscription.type}")
