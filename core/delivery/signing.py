"""Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`.

The secret is `whsec_` followed by the base64 of the key bytes; the HMAC key is those bytes, not
the text. `verify` is what a receiver runs; sitrep ships it so docs and tests can point at it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
DEFAULT_TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """A fresh `whsec_` secret with a 32-byte key."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret; ValueError names what is wrong with it."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a secret starts with {SECRET_PREFIX!r}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"after {SECRET_PREFIX!r} a secret is base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"a secret's key is {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes, not {len(key)}")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    request_headers: Mapping[str, str],
    body: bytes,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """A receiver's check: a fresh timestamp and one matching `v1` signature among those sent."""
    lowered = {name.lower(): value for name, value in request_headers.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp", "")
    if not message_id or not stamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(stamp)) > tolerance_seconds:
        return False
    expected = signature(secret, message_id, int(stamp), body).encode()
    return any(
        hmac.compare_digest(expected, candidate.encode())
        for candidate in lowered.get("webhook-signature", "").split()
        if candidate.startswith("v1,")
    )
