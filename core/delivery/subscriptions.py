"""Subscriptions (signed webhooks and the other receivers) and their deliveries in Redis: shared by the
API, the dispatcher and the job.

A subscription is a hash `sitrep:subscription:{id}` (listed in `sitrep:subscriptions`); its `type`
names the receiver (core/delivery/receiver_settings.py) and its secrets are sealed at rest. A delivery
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
from core.delivery.receiver_settings import (
    HIDDEN,
    SECRET_PATHS,
    STORED,
    URL_TYPES,
    USERINFO_TYPES,
    AlertmanagerSettings,
    ChatSettings,
    EmailSettings,
    ReceiverType,
    TelegramSettings,
    has_userinfo,
    hide_token,
    hide_url,
    hide_userinfo,
)
from core.delivery.signing import generate_secret, secret_key
from core.errors import SecretUnavailable

log = logging.getLogger(__name__)

SubscriptionStatus = Literal["active", "disabled"]
DeliveryStatus = Literal["pending", "delivered", "failed", "gone", "cancelled"]


class SubscriptionIn(BaseModel):
    """What a client posts to `/v1/subscriptions`: a receiver type, where it is, which alerts."""

    type: ReceiverType = Field(
        default="webhook",
        description="webhook (signed CloudEvents), alertmanager, slack, mattermost, email or telegram.",
    )
    url: AnyHttpUrl | None = Field(
        default=None,
        max_length=2000,
        description="webhook: the endpoint; alertmanager: its base URL (…/api/v2/alerts is added); slack and "
        "mattermost: the incoming-webhook URL (a secret: sealed, shown as scheme and host only). Not for email "
        "or telegram.",
    )
    filters: AlertFilter = Field(default_factory=AlertFilter)
    secret: str | None = Field(
        default=None, max_length=200, description="webhook only: `whsec_<base64 key>`; generated when omitted."
    )
    description: str | None = Field(default=None, max_length=500)
    alertmanager: AlertmanagerSettings | None = Field(default=None, description="alertmanager only; optional.")
    slack: ChatSettings | None = Field(default=None, description="slack only; optional.")
    mattermost: ChatSettings | None = Field(default=None, description="mattermost only; optional.")
    email: EmailSettings | None = Field(default=None, description="email only; required for it.")
    telegram: TelegramSettings | None = Field(default=None, description="telegram only; required for it.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and (value.scheme not in ("http", "https") or not value.host):
            raise ValueError("url must be http:// or https:// with a host")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None:
            secret_key(value)
        return value

    def problems(self) -> list[tuple[tuple[str, ...], str]]:
        """What does not fit the chosen type, each as (field, message): the API answers them as one 422."""
        found: list[tuple[tuple[str, ...], str]] = []
        if self.type in URL_TYPES and self.url is None:
            found.append((("url",), f"url is required for type {self.type}"))
        if self.type not in URL_TYPES and self.url is not None:
            found.append((("url",), f"type {self.type} takes no url; its address is in `{self.type}`"))
        if self.secret is not None and self.type != "webhook":
            found.append((("secret",), "secret is for signed webhooks only (type webhook)"))
        for name in ("alertmanager", "slack", "mattermost", "email", "telegram"):
            given = getattr(self, name) is not None
            if given and name != self.type:
                found.append(((name,), f"`{name}` settings do not go with type {self.type}"))
            elif not given and name == self.type and name in ("email", "telegram"):
                found.append(((name,), f"type {name} needs `{name}` settings"))
        return found

    def addresses(self) -> list[tuple[tuple[str, ...], str]]:
        """Every place this subscription would connect to, as (field, URL), for the SSRF guard."""
        found: list[tuple[tuple[str, ...], str]] = []
        if self.url is not None:
            found.append((("url",), str(self.url)))
        if self.email is not None:
            found.append((("email", "host"), f"smtp://{_bracketed(self.email.host)}:{self.email.port}"))
        if self.telegram is not None:
            found.append((("telegram", "api_url"), str(self.telegram.api_url)))
        return found


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Subscription(BaseModel):
    """A stored subscription. `secret` is shown once, in the answer to the POST."""

    id: str
    type: ReceiverType = "webhook"
    url: str | None = None
    filters: AlertFilter
    secret: str | None = None
    description: str | None = None
    alertmanager: AlertmanagerSettings | None = None
    slack: ChatSettings | None = None
    mattermost: ChatSettings | None = None
    email: EmailSettings | None = None
    telegram: TelegramSettings | None = None
    status: SubscriptionStatus = "active"
    disabled_reason: str | None = None
    created_at: datetime
    created_ms: int = Field(description="Redis time of creation: alerts logged before it are not sent.")
    consecutive_failures: int = Field(default=0, description="Failed attempts since the last success.")
    paused_until: datetime | None = Field(
        default=None, description="After a failure, other deliveries wait until then instead of trying too."
    )
    resent_at: datetime | None = Field(
        default=None, description="Alertmanager: when its firing alerts were last sent again (each resend_seconds)."
    )
    resend_error: str | None = Field(default=None, description="Alertmanager: why the last resend failed, if it did.")
    _secret_problem: str | None = PrivateAttr(default=None)
    """Why the stored secret could not be opened (nothing is sent then)."""

    @property
    def secret_problem(self) -> str | None:
        return self._secret_problem

    @property
    def target(self) -> str:
        """Where it sends, in words for logs and reasons (never a secret)."""
        if self.type == "email" and self.email is not None:
            return f"smtp://{self.email.host}:{self.email.port}"
        if self.type == "telegram" and self.telegram is not None:
            return f"{self.telegram.api_url} chat {self.telegram.chat_id}"
        if self.type in ("slack", "mattermost") and self.url:
            return hide_url(self.url)
        return hide_userinfo(self.url) if self.url else self.type

    def shown(self, with_secret: bool = False) -> Subscription:
        """The subscription as the API shows it: secrets out (a webhook's is shown once, on creation)."""
        update: dict[str, Any] = {} if with_secret and self.type == "webhook" else {"secret": None}
        if self.type in ("slack", "mattermost") and self.url:
            update["url"] = hide_url(self.url)
        elif self.url:
            update["url"] = hide_userinfo(self.url)  # user:password@ of a webhook or an Alertmanager
        if self.email is not None and self.email.password is not None:
            update["email"] = self.email.model_copy(update={"password": HIDDEN})
        if self.telegram is not None:
            update["telegram"] = self.telegram.model_copy(update={"bot_token": hide_token(self.telegram.bot_token)})
        return self.model_copy(update=update)


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
    """Store it; ValueError when its settings do not fit its type (the API checks first, with field names)."""
    if problems := spec.problems():
        raise ValueError("; ".join(message for _, message in problems))
    now, millis = redis_now(connection)
    subscription = Subscription(
        id=new_subscription_id(),
        type=spec.type,
        url=str(spec.url) if spec.url is not None else None,
        filters=spec.filters,
        secret=(spec.secret or generate_secret()) if spec.type == "webhook" else None,
        description=spec.description,
        alertmanager=spec.alertmanager or (AlertmanagerSettings() if spec.type == "alertmanager" else None),
        slack=spec.slack,
        mattermost=spec.mattermost,
        email=spec.email,
        telegram=spec.telegram,
        created_at=now,
        created_ms=millis,
    )
    with connection.pipeline(transaction=True) as pipe:
        pipe.hset(keys.subscription(subscription.id), mapping=_subscription_fields(subscription))
        pipe.sadd(keys.SUBSCRIPTIONS_INDEX, subscription.id)
        if subscription.alertmanager is not None and subscription.type == "alertmanager":
            period_ms = int(subscription.alertmanager.resend_seconds * 1000)
            pipe.hset(keys.ALERTMANAGER_RESENDS, subscription.id, period_ms)
        pipe.execute()
    return subscription


def resend_periods(connection: redis.Redis) -> dict[str, int]:
    """Alertmanager subscription id → resend period (ms): what a dispatcher checks each second, without
    reading (and unsealing) every subscription."""
    raw: Any = connection.hgetall(keys.ALERTMANAGER_RESENDS)
    return {name.decode(): int(value) for name, value in raw.items()}


def _secret_paths(record: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The (object, key) of each secret a stored record holds, for its type."""
    found = []
    for path in SECRET_PATHS.get(str(record.get("type") or "webhook"), ()):
        holder: Any = record
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str) and holder[path[-1]]:
            found.append((holder, path[-1]))
    url = record.get("url")
    if record.get("type", "webhook") in USERINFO_TYPES and isinstance(url, str):
        if url.startswith(sealing.PREFIX) or has_userinfo(url):  # a password in the URL is a secret too
            found.append((record, "url"))
    return found


def _subscription_fields(subscription: Subscription) -> dict[Any, Any]:
    record = subscription.model_dump(
        mode="json",
        exclude={"status", "disabled_reason", "consecutive_failures", "paused_until", "resent_at", "resend_error"},
    )
    keys_now = sealing.configured()
    for holder, name in _secret_paths(record):  # sealed when SITREP_WEBHOOK_SECRET_KEYS is set (sealing.py)
        holder[name] = sealing.seal(holder[name], keys_now)
    return {
        "subscription": orjson.dumps(record),
        "status": subscription.status,
        "disabled_reason": subscription.disabled_reason or "",
    }


def _from_fields(fields: dict[bytes, bytes]) -> Subscription | None:
    if not fields or b"subscription" not in fields:
        return None
    record = orjson.loads(fields[b"subscription"])
    problem: str | None = None
    for holder, name in _secret_paths(record):
        try:
            holder[name] = sealing.unseal(holder[name], sealing.configured())
        except SecretUnavailable as error:
            # Not the ciphertext (longer than the field allows, and no use here): a clear placeholder.
            problem = str(error)
            holder[name] = None if name in ("secret", "url") else HIDDEN
    subscription = Subscription.model_validate(record, context=STORED)
    subscription._secret_problem = problem
    subscription.status = "disabled" if fields.get(b"status") == b"disabled" else "active"
    subscription.disabled_reason = fields.get(b"disabled_reason", b"").decode() or None
    subscription.consecutive_failures = int(fields.get(b"failures", b"0") or 0)
    paused_ms = int(fields.get(b"paused_until_ms", b"0") or 0)
    subscription.paused_until = datetime.fromtimestamp(paused_ms / 1000, UTC) if paused_ms else None
    resent_ms = int(fields.get(b"resent_ms", b"0") or 0)
    subscription.resent_at = datetime.fromtimestamp(resent_ms / 1000, UTC) if resent_ms else None
    subscription.resend_error = fields.get(b"resend_error", b"").decode() or None
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
    """Seal every stored secret (webhook secrets, chat hook URLs, SMTP passwords, bot tokens) with the
    first key (after a key is added in front); how many subscriptions were rewritten. SecretUnavailable
    names a subscription no key opens (fix the keys and run it again)."""
    count = 0
    members: Any = connection.smembers(keys.SUBSCRIPTIONS_INDEX)
    for member in members:
        subscription_id = member.decode()
        raw: Any = connection.hget(keys.subscription(subscription_id), "subscription")
        if raw is None:
            continue
        record = orjson.loads(raw)
        found = _secret_paths(record)
        if not found:
            continue
        for holder, name in found:
            try:
                holder[name] = sealing.reseal(holder[name], keys_now)
            except SecretUnavailable as error:
                raise SecretUnavailable(f"subscription {subscription_id}: {error}") from None
        connection.hset(keys.subscription(subscription_id), "subscription", orjson.dumps(record))
        count += 1
    return count


def delete(connection: redis.Redis, subscription_id: str) -> bool:
    """Remove it; deliveries still queued find it gone and stop. Their records expire on their own, and
    what it had firing in an Alertmanager ends there once no resend refreshes it."""
    with connection.pipeline(transaction=True) as pipe:
        pipe.delete(keys.subscription(subscription_id))
        pipe.srem(keys.SUBSCRIPTIONS_INDEX, subscription_id)
        pipe.hdel(keys.ALERTMANAGER_RESENDS, subscription_id)
        pipe.delete(keys.subscription_deliveries(subscription_id))
        pipe.delete(keys.alertmanager_firing(subscription_id), keys.alertmanager_ended(subscription_id))
        pipe.delete(keys.alertmanager_resend(subscription_id))
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
    if state == "disabled":
        # Its deliveries are cancelled, notices that would end these alerts included: re-enabling must
        # not resend them. Alertmanager ends them by their own endsAt.
        connection.delete(keys.alertmanager_firing(subscription_id))


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
