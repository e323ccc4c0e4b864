"""Signatures checked against an implementation written here from the Standard Webhooks text, and filters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from pydantic import ValidationError

from core.delivery import signing
from core.delivery.filters import AlertFilter
from core.delivery.stream import trim_kwargs, valid_stream_id
from tests.delivery.conftest import make_alert


def independent_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """Written from the spec, sharing no code with core/delivery/signing.py."""
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_signature_matches_an_independent_implementation() -> None:
    secret = signing.generate_secret()
    body = make_alert(1).encode()
    headers = signing.headers(secret, "msg_abc", 1_700_000_000, body)
    assert headers["webhook-id"] == "msg_abc" and headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"] == independent_signature(secret, "msg_abc", "1700000000", body)
    assert signing.verify(secret, headers, body, now=1_700_000_010)


def test_a_tampered_body_id_timestamp_or_secret_fails() -> None:
    secret = signing.generate_secret()
    body = b'{"a": 1}'
    headers = signing.headers(secret, "msg_1", 1_700_000_000, body)
    assert not signing.verify(secret, headers, b'{"a": 2}', now=1_700_000_000)
    assert not signing.verify(secret, {**headers, "webhook-id": "msg_2"}, body, now=1_700_000_000)
    assert not signing.verify(secret, {**headers, "webhook-timestamp": "1700000001"}, body, now=1_700_000_000)
    assert not signing.verify(signing.generate_secret(), headers, body, now=1_700_000_000)
    assert not signing.verify(secret, headers, body, now=1_700_000_000 + 3600)  # replayed an hour later
    other = independent_signature(secret, "msg_1", "1700000000", body)
    assert signing.verify(secret, {**headers, "webhook-signature": f"v1,bm90IGl0 {other}"}, body, now=1_700_000_000)


def test_secrets_are_whsec_base64_and_bad_ones_are_named() -> None:
    secret = signing.generate_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    for bad in ("abc", "whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            signing.secret_key(bad)


def test_filters_place_includes_children_kind_and_category() -> None:
    nahda = json.loads(make_alert(1, place="raqqa/al-nahda"))
    raqqa_count = json.loads(make_alert(2, place="raqqa", kind="civilian_threshold", category="trapped"))
    palmyra = json.loads(make_alert(3, place="palmyra"))
    raqqa = AlertFilter(place=["Raqqa"])
    assert raqqa.matches(nahda) and raqqa.matches(raqqa_count) and not raqqa.matches(palmyra)
    assert not AlertFilter(place=["raqqa/al"]).matches(nahda)  # a prefix of a name is not a parent
    control = AlertFilter(kind=["sitrep.alert.control_changed"])
    assert control.matches(nahda) and not control.matches(raqqa_count)
    assert AlertFilter(kind="control_changed,civilian_threshold", place="palmyra").matches(palmyra)
    trapped = AlertFilter(category=["trapped"])
    assert trapped.matches(raqqa_count) and not trapped.matches(nahda)
    assert AlertFilter().matches(palmyra)


def test_unknown_kind_or_category_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown alert kind"):
        AlertFilter(kind=["control_change"])
    with pytest.raises(ValidationError, match="unknown category"):
        AlertFilter(category=["stranded"])


def test_trim_is_by_age_when_set_else_by_length() -> None:
    assert trim_kwargs(1000) == {"maxlen": 1000, "approximate": True}
    assert trim_kwargs(1000, 60, now_ms=100_000) == {"minid": "40000-0", "approximate": True}
    assert valid_stream_id("0") and valid_stream_id("1700000000000-3") and not valid_stream_id("abc")


def test_retry_waits_grow_over_hours_with_bounded_jitter() -> None:
    from core.delivery.webhooks import retry_delay
    from core.settings import DeliverySettings

    settings = DeliverySettings(redis_url="redis://unused")
    waits = settings.webhook_retry_seconds
    assert all(later > earlier for earlier, later in zip(waits, waits[1:], strict=False))
    assert sum(waits) > 6 * 3600  # retried for hours before it is given up
    for number, base in enumerate(waits, 1):
        samples = {retry_delay(settings, number) for _ in range(20)}
        assert all(s is not None and base * 0.8 <= s <= base * 1.2 for s in samples) and len(samples) > 1
    assert retry_delay(settings, len(waits) + 1) is None
    assert DeliverySettings(redis_url="x", webhook_retry_seconds="0.5, 2").webhook_retry_seconds == [0.5, 2.0]
