"""What each kind of receiver needs to be sent to: one settings model per subscription type.

A subscription's `type` names its receiver; the settings of that receiver sit under a key of the same
name (`"email": {...}`), and `url` is where an HTTP receiver is reached. Which fields are secrets
(sealed at rest, never shown again) is said here too, so storage, the API and `keys reseal` agree.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.delivery.addresses import is_ip

ReceiverType = Literal["webhook", "alertmanager", "slack", "mattermost", "email", "telegram"]
RECEIVER_TYPES: tuple[ReceiverType, ...] = ("webhook", "alertmanager", "slack", "mattermost", "email", "telegram")
URL_TYPES = frozenset({"webhook", "alertmanager", "slack", "mattermost"})
"""Types reached at the subscription's `url`; email and telegram have their own addresses in their settings."""

SECRET_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "webhook": (("secret",),),
    "slack": (("url",),),  # an incoming-webhook URL lets anyone who has it post to the channel
    "mattermost": (("url",),),
    "email": (("email", "password"),),
    "telegram": (("telegram", "bot_token"),),
    "alertmanager": (),
}
"""Where each type keeps secrets in a stored subscription's JSON."""

STORED = {"stored": True}
"""Validation context of a record read back from Redis: its secrets may be sealed (or hidden), so their
format is not checked again."""

HIDDEN = "…"
"""What a secret is replaced with when a subscription is shown."""

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_BOT_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
_CHAT_ID = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,64})$")
RESERVED_LABELS = frozenset({"alertname", "place", "kind", "category", "severity", "rule"})


def _address(value: str) -> str:
    """A bare addr-spec (`desk@example.org`), as email's own header parser reads it: anything it would
    read differently (a comment, a display name, a second address) is refused."""
    try:
        parsed = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as error:
        raise ValueError(f"{value!r} is not an email address") from error
    if parsed.addr_spec != value or not parsed.username or "." not in parsed.domain:
        raise ValueError(f"{value!r} is not an email address")
    return value


def _one_line(value: str | None, what: str) -> str | None:
    """Refuse line breaks where a value ends up in a mail header or a chat's metadata."""
    if value is not None and ("\r" in value or "\n" in value):
        raise ValueError(f"{what} must be one line")
    return value


class AlertmanagerSettings(BaseModel):
    """How alerts are kept firing in Alertmanager, and labels added to every one."""

    model_config = ConfigDict(extra="forbid")

    resend_seconds: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        description="Firing alerts are sent again this often, each time ending 4 resends later unless refreshed.",
    )
    notice_seconds: float = Field(
        default=3600.0,
        ge=60,
        le=7 * 86400,
        description="How long a one-off change (civilian_change) stays firing; it is not resent.",
    )
    labels: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=20, description='Labels added to every alert, e.g. {"team": "ops"}.'
    )

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _LABEL_NAME.match(name):
                raise ValueError(f"label name {name!r} is not [a-zA-Z_][a-zA-Z0-9_]*")
            if name in RESERVED_LABELS:
                raise ValueError(f"label {name!r} is set by sitrep; choose another name")
        return value


class ChatSettings(BaseModel):
    """Slack or Mattermost incoming webhook: optional overrides the hook may honour."""

    model_config = ConfigDict(extra="forbid")

    channel: str | None = Field(default=None, max_length=100, description="Channel override (Mattermost honours it).")
    username: str | None = Field(default=None, max_length=100, description="Name shown as the sender.")

    @field_validator("channel", "username")
    @classmethod
    def _line(cls, value: str | None) -> str | None:
        return _one_line(value, "this value")


class EmailSettings(BaseModel):
    """An SMTP server and the mail it sends: plain text and HTML in one message per alert."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(max_length=253, description="SMTP server name or address.")
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (implicit, port 465), none (plain; no password)."
    )
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=500, description="Sealed at rest, never shown again.")
    sender: str = Field(max_length=254, description="The From address.")
    to: list[Annotated[str, Field(max_length=254)]] = Field(min_length=1, max_length=50)
    subject_prefix: str = Field(default="[sitrep]", max_length=50)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        bare = value.strip().strip("[]")
        if not _HOST.match(bare) and not is_ip(bare):
            raise ValueError(f"host {value!r} is not a host name or address")
        return bare

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _to(cls, value: list[str]) -> list[str]:
        return [_address(address) for address in value]

    @field_validator("subject_prefix", "username")
    @classmethod
    def _line(cls, value: str | None) -> str | None:
        return _one_line(value, "this value")

    @model_validator(mode="after")
    def _password_over_tls(self, info: ValidationInfo) -> EmailSettings:
        if (info.context or {}).get("stored"):
            return self
        if self.password is not None and self.username is None:
            raise ValueError("a password needs a username")
        if self.username is not None and self.password is None:
            raise ValueError("a username needs a password")
        if self.password is not None and self.security == "none":
            raise ValueError("a password is only sent over TLS: set security to starttls or tls")
        return self


class TelegramSettings(BaseModel):
    """A Telegram bot and the chat it writes to."""

    model_config = ConfigDict(extra="forbid")

    bot_token: str = Field(max_length=150, description="From @BotFather: `<bot id>:<secret>`; sealed, never shown.")
    chat_id: str = Field(max_length=70, description="A chat id (negative for groups) or @channelusername.")
    api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://api.telegram.org"), description="The Bot API (a local Bot API server, or tests)."
    )
    disable_notification: bool = Field(default=False, description="Deliver silently.")

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and not _CHAT_ID.match(value):
            raise ValueError("chat_id is a number (negative for groups) or @channelusername")
        return value

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: str, info: ValidationInfo) -> str:
        if not (info.context or {}).get("stored") and not _BOT_TOKEN.match(value):
            raise ValueError("bot_token looks like 123456789:AA… (digits, a colon, then the secret)")
        return value

    @field_validator("api_url")
    @classmethod
    def _http(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.scheme not in ("http", "https") or not value.host:
            raise ValueError("api_url must be http:// or https:// with a host")
        return value


def hide_url(url: str) -> str:
    """A secret URL shown as its scheme and host only: which service, not the key in its path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}/{HIDDEN}"


def hide_token(token: str) -> str:
    """A bot token shown as its bot id (public: it is the bot's user id) and no secret."""
    return token.split(":", 1)[0] + ":" + HIDDEN


USERINFO_TYPES = frozenset({"webhook", "alertmanager"})
"""Types whose URL is not itself a secret but may carry `user:password@`: sealed then, and hidden."""


def has_userinfo(url: str) -> bool:
    return "@" in urlsplit(url).netloc


def hide_userinfo(url: str) -> str:
    """The URL with any `user:password@` shown as `…@` (the path of a webhook is not a secret)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=f"{HIDDEN}@{parts.netloc.rpartition('@')[2]}").geturl()
