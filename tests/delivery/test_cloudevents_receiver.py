"""A webhook as a receiver sees it: a structured-mode CloudEvent, verified by the official
`standardwebhooks` package (not by sitrep's own signing code)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import redis
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.delivery import subscriptions, webhooks
from core.delivery.subscriptions import SubscriptionIn
from core.settings import DeliverySettings
from services.dispatcher import Dispatcher
from tests.delivery.conftest import Receiver, log_alert, make_alert

CONTEXT_ATTRIBUTES = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema"}
EXTENSION_NAME = re.compile(r"[a-z0-9]{1,20}")
"""CloudEvents 1.0: attribute names are lower-case ASCII letters and digits, at most 20 of them."""


def test_a_delivery_is_a_structured_cloudevent_that_standardwebhooks_verifies(
    r: redis.Redis, redis_url: str, receiver_factory: Callable[..., Receiver]
) -> None:
    receiver = receiver_factory()
    settings = DeliverySettings(redis_url=redis_url, webhook_allow_private_addresses=True)
    subscription = subscriptions.create(r, SubscriptionIn(url=receiver.url))  # type: ignore[arg-type]
    payload = make_alert(7, place="raqqa/al-nahda")
    stream_id = log_alert(r, payload)
    dispatcher = Dispatcher(redis.Redis.from_url(redis_url), settings, consumer_name="ce-test")
    dispatcher.drain()
    dispatcher.connection.close()
    identifier = subscriptions.delivery_id(subscription.id, stream_id)
    assert webhooks.attempt_delivery(r, settings, identifier, 1) == "delivered"
    (request,) = receiver.wait_for(1)

    assert request.headers["content-type"] == "application/cloudevents+json"
    event = json.loads(request.body)
    assert event["specversion"] == "1.0" and event["id"] and event["source"] and event["type"]
    assert event["datacontenttype"] == "application/json" and isinstance(event["data"], dict)
    for name in event:
        assert name == "data" or name in CONTEXT_ATTRIBUTES or EXTENSION_NAME.fullmatch(name), name

    assert subscription.secret is not None
    receiver_side = Webhook(subscription.secret)
    verified = receiver_side.verify(request.body, dict(request.headers))
    assert verified == json.loads(payload)
    with pytest.raises(WebhookVerificationError):
        receiver_side.verify(request.body.replace(b"al-nahda", b"al-nahdA"), dict(request.headers))
    with pytest.raises(WebhookVerificationError):
        stale = {**request.headers, "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) - 3600)}
        receiver_side.verify(request.body, stale)
