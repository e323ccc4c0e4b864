"""API keys: made and revoked by `sitrep keys` or `/v1/keys`, checked by the API on each request.

A key reads `sitrep_<id>_<secret>`: the public id finds its record, the secret (32 random bytes) proves
it. Redis keeps only SHA-256 of the whole key, compared in constant time. A fast hash is right here: a
key carries 256 bits of chance, so nobody can guess one back from a leaked hash however fast the hash,
while a password hash (bcrypt, argon2) would add tens of ms of CPU to every request for nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal

import redis
import redis.asyncio
from pydantic import BaseModel, Field

from core import defaults, keys
from core.errors import KeyLimitReached

Scope = Literal["ingest", "read", "admin"]
SCOPES: tuple[Scope, ...] = ("ingest", "read", "admin")

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
"""A key's name is also the namespace of the report ids it sends: no `:` in it, so `name:id` is unambiguous."""

_TOKEN = re.compile(r"^sitrep_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


class ApiKeyIn(BaseModel):
    """What an admin asks for."""

    model_config = {"extra": "forbid"}

    name: str = Field(
        pattern=NAME_PATTERN,
        description="Who holds it, e.g. `acme-feed`. Keys of one name share a namespace of report ids,"
        " so a replacement key keeps recognising resends.",
    )
    scopes: list[Scope] = Field(min_length=1, max_length=3, description="`ingest`, `read`, `admin` (admin is all).")
    rate_per_second: float | None = Field(
        default=None,
        ge=0.0,
        le=1_000_000.0,
        description="Requests a second this key may make (429 past it); absent: the API's default"
        " (`SITREP_RATE_LIMIT_PER_SECOND`); 0: no limit.",
    )


class ApiKey(BaseModel):
    """A key's record, as listed (never the key itself)."""

    id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None = None
    rate_per_second: float | None = Field(
        default=None, description="Its own rate limit (requests a second; 0: none); absent: the API's default."
    )

    def allows(self, scope: Scope) -> bool:
        """`admin` may do everything; the others only what they name."""
        return "admin" in self.scopes or scope in self.scopes

    @property
    def namespace(self) -> str:
        return self.name


class NewApiKey(ApiKey):
    """The answer to a create: the only time the key is shown."""

    key: str = Field(
        description="Send it as `Authorization: Bearer <key>`; it is not stored and cannot be shown again."
    )


def digest(token: str) -> bytes:
    """What Redis keeps of a key."""
    return hashlib.sha256(token.encode()).hexdigest().encode()


def create(connection: redis.Redis, spec: ApiKeyIn) -> NewApiKey:
    """Make a key; KeyLimitReached when API_KEYS_MAX are active already."""
    if int(connection.scard(keys.API_KEYS)) >= defaults.API_KEYS_MAX:
        raise KeyLimitReached(f"{defaults.API_KEYS_MAX} API keys are active already; revoke some first")
    key_id = secrets.token_hex(6)
    token = f"sitrep_{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        id=key_id,
        name=spec.name,
        scopes=sorted(set(spec.scopes)),
        created_at=datetime.now(UTC),
        rate_per_second=spec.rate_per_second,
    )
    with connection.pipeline(transaction=True) as pipe:
        pipe.hset(keys.api_key(key_id), mapping={"key": record.model_dump_json(), "hash": digest(token)})
        pipe.sadd(keys.API_KEYS, key_id)
        pipe.execute()
    return NewApiKey(**record.model_dump(), key=token)


def list_active(connection: redis.Redis) -> list[ApiKey]:
    """Keys not revoked, oldest first."""
    ids: Any = connection.smembers(keys.API_KEYS)
    with connection.pipeline(transaction=False) as pipe:
        for key_id in ids:
            pipe.hget(keys.api_key(key_id.decode()), "key")
        raw: list[Any] = pipe.execute()
    found = [ApiKey.model_validate_json(item) for item in raw if item is not None]
    return sorted(found, key=lambda key: (key.created_at, key.id))


def revoke(connection: redis.Redis, key_id: str) -> ApiKey | None:
    """Revoke a key at once (other API processes follow within API_KEY_CACHE_SECONDS); None if unknown."""
    raw: Any = connection.hget(keys.api_key(key_id), "key")
    if raw is None:
        return None
    record = ApiKey.model_validate_json(raw)
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
    with connection.pipeline(transaction=True) as pipe:
        pipe.hset(keys.api_key(key_id), "key", record.model_dump_json())
        pipe.expire(keys.api_key(key_id), defaults.API_KEY_REVOKED_TTL_SECONDS)
        pipe.srem(keys.API_KEYS, key_id)
        pipe.execute()
    return record


class Verdict(Enum):
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    VALID = "valid"


async def check(client: redis.asyncio.Redis, token: str) -> tuple[Verdict, ApiKey | None]:
    """Whether `token` is a valid key, and its record; UNKNOWN for a malformed or wrong one."""
    match = _TOKEN.match(token)
    if match is None:
        return Verdict.UNKNOWN, None
    stored: Any = await client.hmget(keys.api_key(match.group(1)), ["hash", "key"])
    if stored[0] is None or not hmac.compare_digest(stored[0], digest(token)):
        return Verdict.UNKNOWN, None
    record = ApiKey.model_validate_json(stored[1])
    return (Verdict.REVOKED if record.revoked_at is not None else Verdict.VALID), record


async def is_active(client: redis.asyncio.Redis, key_id: str) -> bool:
    """Whether the key of this id still exists and is not revoked (asked again by long answers)."""
    return bool(await client.sismember(keys.API_KEYS, key_id))


async def any_active(client: redis.asyncio.Redis) -> bool:
    return bool(await client.scard(keys.API_KEYS))


def any_active_sync(connection: redis.Redis) -> bool:
    return bool(connection.scard(keys.API_KEYS))
