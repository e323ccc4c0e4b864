"""Webhook secrets sealed at rest with SITREP_WEBHOOK_SECRET_KEYS, against the real Redis: what Redis
holds, signing with the opened secret, a key rotation with `sitrep keys reseal`, and a missing key."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import redis
from cryptography.fernet import Fernet

from core import keys
from core.delivery import subscriptions, webhooks
from core.delivery.subscriptions import SubscriptionIn
from core.settings import DeliverySettings
from services.dispatcher import Dispatcher
from tests.conftest import REPO, sitrep_command
from tests.delivery.conftest import FAST_RETRIES, Receiver, log_alert, make_alert
from tests.delivery.test_signing_and_filters import independent_signature


def stored_record(r: redis.Redis, subscription_id: str) -> bytes:
    raw = r.hget(keys.subscription(subscription_id), "subscription")
    assert isinstance(raw, bytes)
    return raw


def deliver_one(r: redis.Redis, redis_url: str, subscription_id: str, number: int) -> tuple[str, str]:
    settings = DeliverySettings(
        redis_url=redis_url, webhook_retry_seconds=FAST_RETRIES, webhook_allow_private_addresses=True
    )
    dispatcher = Dispatcher(r, settings)
    dispatcher.ensure_group()
    log_alert(r, make_alert(number))
    dispatcher.step(block_milliseconds=None)
    delivery = subscriptions.list_deliveries(r, subscription_id, 1)[0]
    outcome = webhooks.attempt_delivery(r, settings, delivery.id, 1)
    view = subscriptions.delivery_view(r, delivery.id)
    assert view is not None
    return outcome, view.attempts[-1].error or ""


def test_a_sealed_secret_is_not_in_redis_and_still_signs(
    r: redis.Redis, redis_url: str, receiver_factory: Callable[..., Receiver], use_keys: Callable[[str | None], None]
) -> None:
    use_keys(Fernet.generate_key().decode())
    receiver = receiver_factory()
    made = subscriptions.create(r, SubscriptionIn.model_validate({"url": receiver.url}))
    assert made.secret is not None
    record = stored_record(r, made.id)
    assert made.secret.encode() not in record and b'"secret":"fernet:' in record
    assert deliver_one(r, redis_url, made.id, 1)[0] == "delivered"
    (received,) = receiver.wait_for(1)
    headers = received.headers
    expected = independent_signature(made.secret, headers["webhook-id"], headers["webhook-timestamp"], received.body)
    assert headers["webhook-signature"] == expected


def test_rotation_adds_a_key_in_front_reseals_then_drops_the_old_one(
    r: redis.Redis, child_env: dict[str, str], use_keys: Callable[[str | None], None]
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_keys(None)
    clear = subscriptions.create(r, SubscriptionIn.model_validate({"url": "https://hooks.example/a"}))
    use_keys(old)
    sealed = subscriptions.create(r, SubscriptionIn.model_validate({"url": "https://hooks.example/b"}))
    assert clear.secret is not None and clear.secret.encode() in stored_record(r, clear.id)  # from before: clear
    use_keys(f"{new},{old}")
    assert subscriptions.get(r, sealed.id).secret == sealed.secret  # type: ignore[union-attr]
    resealed = subprocess.run(
        sitrep_command("keys", "reseal"),
        env=child_env | {"SITREP_WEBHOOK_SECRET_KEYS": f"{new},{old}"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert resealed.returncode == 0 and "2 subscription(s) with secrets sealed" in resealed.stderr, resealed.stderr
    use_keys(new)  # the old key is gone: both still open
    assert subscriptions.get(r, sealed.id).secret == sealed.secret  # type: ignore[union-attr]
    assert subscriptions.get(r, clear.id).secret == clear.secret  # type: ignore[union-attr]
    assert clear.secret.encode() not in stored_record(r, clear.id)


def test_without_the_key_nothing_is_sent_and_the_attempt_says_why(
    r: redis.Redis, redis_url: str, receiver_factory: Callable[..., Receiver], use_keys: Callable[[str | None], None]
) -> None:
    use_keys(Fernet.generate_key().decode())
    receiver = receiver_factory()
    made = subscriptions.create(r, SubscriptionIn.model_validate({"url": receiver.url}))
    use_keys(Fernet.generate_key().decode())  # a different key: opens nothing
    outcome, error = deliver_one(r, redis_url, made.id, 2)
    assert outcome == "retry" and "no key in SITREP_WEBHOOK_SECRET_KEYS opens" in error
    use_keys(None)
    assert subscriptions.get(r, made.id).secret_problem is not None  # type: ignore[union-attr]
    assert receiver.requests == []


def test_a_malformed_key_stops_a_start_in_one_line_without_echoing_it(child_env: dict[str, str]) -> None:
    bad = "not-a-fernet-key-but-secret-material"
    result = subprocess.run(
        sitrep_command("keys", "list"),
        env=child_env | {"SITREP_WEBHOOK_SECRET_KEYS": bad},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "key 1 is not a Fernet key" in line and bad not in line
