"""Webhook secrets sealed at rest: Fernet (AES-128-CBC + HMAC-SHA256) with keys from the environment.

`SITREP_WEBHOOK_SECRET_KEYS` holds one or more Fernet keys, comma-separated: the first seals, every
one opens (MultiFernet), so a key is rotated by putting a new one first, running `sitrep keys reseal`,
then dropping the old one. Unset, secrets are stored as before, in clear; a stored clear secret still
works once keys are set, until a reseal seals it. Someone who reads Redis (a dump, a replica, a backup)
then learns nothing that lets them sign webhooks.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.errors import SecretUnavailable

PREFIX = "fernet:"


def parse_keys(value: str | None) -> MultiFernet | None:
    """The keys of the setting, or None when it is empty; SecretUnavailable (without the key) if one is malformed."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not parts:
        return None
    fernets = []
    for number, part in enumerate(parts, 1):
        try:
            fernets.append(Fernet(part))
        except ValueError:
            raise SecretUnavailable(
                f"SITREP_WEBHOOK_SECRET_KEYS: key {number} is not a Fernet key (32 url-safe base64 bytes;"
                ' make one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)'
            ) from None
    return MultiFernet(fernets)


@lru_cache(maxsize=1)
def configured() -> MultiFernet | None:
    """The keys this process was started with (read once)."""
    from core.settings import CommonSettings

    secret = CommonSettings().webhook_secret_keys
    return parse_keys(secret.get_secret_value() if secret is not None else None)


def seal(secret: str, keys: MultiFernet | None) -> str:
    """What Redis stores of a secret: sealed with the first key, or the secret itself with no key."""
    if keys is None or secret.startswith(PREFIX):
        return secret
    return PREFIX + keys.encrypt(secret.encode()).decode()


def unseal(stored: str, keys: MultiFernet | None) -> str:
    """The secret from what Redis stores; SecretUnavailable when no configured key opens it."""
    if not stored.startswith(PREFIX):
        return stored
    if keys is None:
        raise SecretUnavailable("the webhook secret is sealed and SITREP_WEBHOOK_SECRET_KEYS is not set")
    try:
        return keys.decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnavailable("no key in SITREP_WEBHOOK_SECRET_KEYS opens this webhook secret") from None


def reseal(stored: str, keys: MultiFernet) -> str:
    """Sealed with the first key now (a clear secret is sealed; a sealed one re-encrypted)."""
    if not stored.startswith(PREFIX):
        return seal(stored, keys)
    try:
        return PREFIX + keys.rotate(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnavailable("no key in SITREP_WEBHOOK_SECRET_KEYS opens this webhook secret") from None
