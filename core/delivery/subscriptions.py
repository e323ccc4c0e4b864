"""Webhook subscriptions and their deliveries in Redis: shared by the API, the dispatcher and the job.

A subscription is a hash `sitrep:subscription:{id}` (listed in `sitrep:subscriptions`). A delivery
is one alert bound for one subscription: a hash `sitrep:delivery:{id}` with the exact body to send
and its state, plus a list of attempt records. The delivery id is derived from (subscription,
stream id), so the dispatcher can create it again after a crash and find it already there; it is
also the `webhook-id` header, the same on every retry and on replay.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
import redis
from cryptography.fernet import MultiFernet
from pydantic import AnyHttpUrl, BaseModel, Field, PrivateAttr, field_validator

from core import keys, lua
from core.delivery import sealing
from core.delivery.filters import AlertFilter
from core.delivery.signing import generate_secret, secret_key
from core.errors import SecretUnavailable

log = logging.getLogger(__name__)

SubscriptionStatus = Literal["active", "disabled"]
DeliveryStatus = Literal["pending", "delivered", "failed", "gone", "cancelled"]


class SubscriptionIn(BaseModel):
    """What a client posts to `/v1/subscriptions`."""

    url: AnyHttpUrl = Field(max_length=2000, description="http(s) URL that receives a signed POST per alert.")
    filters: AlertFilter = Field(default_factory=AlertFilter)
    secret: str | None = Field(
        default=None, max_length=200, description="`whsec_<base64 key>`; generated when omitted."
    )
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.scheme not in ("http", "https") or not value.host:
            raise ValueError("url must be http:// or https:// with a host")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None:
            secret_key(value)
        return value


class Subscription(BaseModel):
    """A stored subscription. `secret` is shown once, in the answer to the POST."""

    id: str
    url: str
    filters: AlertFilter
    secret: str | None = None
    description: str | None = None
    status: SubscriptionStatus = "active"
    disabled_reason: str | None = None
    created_at: datetime
    created_ms: int = Field(description="Redis time of creation: alerts logged before it are not sent.")
    consecutive_failures: int = Field(default=0, description="Failed attempts since the last success.")
    paused_until: datetime | None = Field(
        default=None, description="After a failure, other deliveries wait until then instead of trying too."
    )
    _secret_problem: str | None = PrivateAttr(default=None)
    """Why the stored secret could not be opened (nothing is sent then)."""

    @property
    def secret_problem(self) -> str | None:
        return self._secret_problem


class Attempt(BaseModel):
    """One HTTP attempt of a delivery."""

    attempt: int
    at: datetime
    duration_ms: float
    status_code: int | None = None
    error: str | None = None
    outcome: Literal["delivered", "retry", "failed", "gone", "cancelled"]
    next_attempt_at: datetime | None = None
    replay: bool = False


class Delivery(BaseModel):
    """One alert bound for one subscription, with every attempt made so far."""

    id: str
    subscription_id: str
    stream_id: str
    alert_id: str
    alert_type: str
    status: DeliveryStatus
    created_at: datetime
    deferred_until: datetime | None = Field(
        default=None, description="Set when an attempt was put off because the endpoint is paused."
    )
    attempts: list[Attempt] = Field(default_factory=list)


def new_subscription_id() -> str:
    return "sub_" + secrets.token_hex(8)


def delivery_id(subscription_id: str, stream_id: str) -> str:
    """Stable for one (subscription, alert): the `webhook-id` of every attempt."""
    return "msg_" + hashlib.sha256(f"{subscription_id}\n{stream_id}".encode()).hexdigest()[:26]


def redis_now(connection: redis.Redis) -> tuple[datetime, int]:
    """Redis's clock, the one stream ids are made from, as a datetime and in milliseconds."""
    seconds, micros = connection.time()
    millis = seconds * 1000 + micros // 1000
    return datetime.fromtimestamp(millis / 1000, UTC), millis


def create(connection: redis.Redis, spec: SubscriptionIn) -> Subscription:
    now, millis = redis_now(connection)
    subscription = Subscription(
        id=new_subscription_id(),
        url=str(spec.url),
        filters=spec.filters,
        secret=spec.secret or generate_secret(),
        description=spec.description,
        created_at=now,
        created_ms=millis,
    )
    with connection.pipeline(transaction=True) as pipe:
        pipe.hset(keys.subscription(subscription.id), mapping=_subscription_fields(subscription))
        pipe.sadd(keys.SUBSCRIPTIONS_INDEX, subscription.id)
        pipe.execute()
    return subscription


def _subscription_fields(subscription: Subscription) -> dict[Any, Any]:
    stored = subscription
    if subscription.secret is not None:  # sealed when SITREP_WEBHOOK_SECRET_KEYS is set (sealing.py)
        stored = subscription.model_copy(update={"secret": sealing.seal(subscription.secret, sealing.configured())})
    return {
        "subscription": stored.model_dump_json(
            exclude={"status", "disabled_reason", "consecutive_failures", "paused_until"}
        ),
        "status": subscription.status,
        "disabled_reason": subscription.disabled_reason or "",
    }


def _from_fields(fields: dict[bytes, bytes]) -> Subscription | None:
    if not fields or b"subscription" not in fields:
        return None
    subscription = Subscription.model_validate_json(fields[b"subscription"])
    if subscription.secret is not None:
        try:
            subscription.secret = sealing.unseal(subscription.secret, sealing.configured())
        except SecretUnavailable as error:
            subscription.secret = None
            subscription._secret_problem = str(error)
    subscription.status = "disabled" if fields.get(b"status") == b"disabled" else "active"
    subscription.disabled_reason = fields.get(b"disabled_reason", b"").decode() or None
    subscription.consecutive_failures = int(fields.get(b"failures", b"0") or 0)
    paused_ms = int(fields.get(b"paused_until_ms", b"0") or 0)
    subscription.paused_until = datetime.fromtimestamp(paused_ms / 1000, UTC) if paused_ms else None
    return subscription


def get(connection: redis.Redis, subscription_id: str) -> Subscription | None:
    fields: Any = connection.hgetall(keys.subscription(subscription_id))
    return _from_fields(fields)


def list_all(connection: redis.Redis) -> list[Subscription]:
    """Every subscription, oldest first."""
    members: Any = connection.smembers(keys.SUBSCRIPTIONS_INDEX)
    ids = sorted(member.decode() for member in members)
    with connection.pipeline(transaction=False) as pipe:
        for subscription_id in ids:
            pipe.hgetall(keys.subscription(subscription_id))
        rows: list[Any] = pipe.execute()
    found = []
    for subscription_id, fields in zip(ids, rows, strict=True):
        try:
            subscription = _from_fields(fields)
        except ValueError:  # pydantic's ValidationError included: one bad record must not stop the rest
            log.error("subscription %s is unreadable; skipped", subscription_id)
            continue
        if subscription is not None:
            found.append(subscription)
    return sorted(found, key=lambda subscription: subscription.created_ms)


def reseal_all(connection: redis.Redis, keys_now: MultiFernet) -> int:
    """Seal every stored webhook secret with the first key (after a key is added in front); how many were
    rewritten. SecretUnavailable names a subscription no key opens (fix the keys and run it again)."""
    count = 0
    members: Any = connection.smembers(keys.SUBSCRIPTIONS_INDEX)
    for member in members:
        subscription_id = member.decode()
        raw: Any = connection.hget(keys.subscription(subscription_id), "subscription")
        if raw is None:
            continue
        record = orjson.loads(raw)
        if not record.get("secret"):
            continue
        try:
            record["secret"] = sealing.reseal(record["secret"], keys_now)
        except SecretUnavailable as error:
            raise SecretUnavailable(f"subscription {subscription_id}: {error}") from None
        connection.hset(keys.subscription(subscription_id), "subscription", orjson.dumps(record))
        count += 1
    return count


def delete(connection: redis.Redis, subscription_id: str) -> bool:
    """Remove it; deliveries still queued find it gone and stop. Their records expire on their own."""
    with connection.pipeline(transaction=True) as pipe:
        pipe.delete(keys.subscription(subscription_id))
        pipe.srem(keys.SUBSCRIPTIONS_INDEX, subscription_id)
        pipe.delete(keys.subscription_deliveries(subscription_id))
        deleted, *_ = pipe.execute()
    return bool(deleted)


_UPDATE_IF_EXISTS = lua.source("core.delivery", "update_if_exists.lua")


def update_fields(
    connection: redis.Redis | redis.client.Pipeline, subscription_id: str, mapping: dict[str, str | int]
) -> None:
    """HSET on an existing subscription only (a deleted one stays deleted)."""
    flat = [str(item) for pair in mapping.items() for item in pair]
    connection.eval(_UPDATE_IF_EXISTS, 1, keys.subscription(subscription_id), *flat)


def set_status(
    connection: redis.Redis | redis.client.Pipeline, subscription_id: str, state: SubscriptionStatus, reason: str = ""
) -> None:
    """Disable (with a reason) or re-activate; re-activating also lifts a pause after failures."""
    mapping: dict[str, str | int] = {"status": state, "disabled_reason": reason}
    if state == "active":
        mapping.update(failures=0, paused_until_ms=0)
    update_fields(connection, subscription_id, mapping)


def load_delivery(connection: redis.Redis, identifier: str) -> dict[str, str] | None:
    fields: Any = connection.hgetall(keys.delivery(identifier))
    if not fields:
        return None
    return {key.decode(): value.decode() for key, value in fields.items()}


def delivery_view(connection: redis.Redis, identifier: str, fields: dict[str, str] | None = None) -> Delivery | None:
    fields = fields if fields is not None else load_delivery(connection, identifier)
    if fields is None:
        return None
    raw: Any = connection.lrange(keys.delivery_attempts(identifier), 0, -1)
    return Delivery(
        id=identifier,
        subscription_id=fields["subscription"],
        stream_id=fields["stream_id"],
        alert_id=fields.get("alert_id", ""),
        alert_type=fields.get("alert_type", ""),
        status=fields["status"],
        created_at=datetime.fromtimestamp(int(fields["created_ms"]) / 1000, UTC),
        deferred_until=datetime.fromtimestamp(int(fields["deferred_until_ms"]) / 1000, UTC)
        if fields.get("deferred_until_ms")
        else None,
        attempts=[Attempt.model_validate(orjson.loads(item)) for item in raw],
    )


def list_deliveries(connection: redis.Redis, subscription_id: str, limit: int) -> list[Delivery]:
    """Newest first; ids whose records expired are dropped from the index on the way."""
    index = keys.subscription_deliveries(subscription_id)
    ids: Any = connection.zrevrange(index, 0, limit - 1)
    views: list[Delivery] = []
    for member in ids:
        view = delivery_view(connection, member.decode())
        if view is None:
            connection.zrem(index, member)
        else:
            views.append(view)
    return views
