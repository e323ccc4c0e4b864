"""What sitrep tells an Alertmanager fires, attempt by attempt, against the suite's Redis and a fake
Alertmanager on 127.0.0.1: repeats seen first, late retries of older states, notices that never get
through, a disabled subscription, and a receiver too slow to answer. Attempts are called in the
order a test needs, as workers racing or retrying would make them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import redis

from core import keys
from core.delivery import addresses, http_post, subscriptions
from core.delivery.receivers import alertmanager
from core.delivery.subscriptions import Subscription, SubscriptionIn
from core.settings import DeliverySettings
from tests.delivery.receivers import Answer, FakeHttp, civilian_alert, control_alert


def _settings(redis_url: str, timeout_seconds: float = 3.0) -> DeliverySettings:
    return DeliverySettings(
        redis_url=redis_url, webhook_allow_private_addresses=True, webhook_timeout_seconds=timeout_seconds
    )


def _subscription(r: redis.Redis, url: str) -> Subscription:
    return subscriptions.create(r, SubscriptionIn.model_validate({"type": "alertmanager", "url": url}))


def _repeat(payload: str, number: int, of: str | None) -> bytes:
    """The notifier's repeat of a state: its own fingerprint, `repeat`, and (now) the state it repeats."""
    alert: dict[str, Any] = json.loads(payload)
    alert["data"]["repeat"] = number
    if of is not None:
        alert["data"]["repeat_of"] = of
    return json.dumps(alert).encode()


def _ended(alert: dict[str, Any], posted_at: float) -> bool:
    ends = datetime.fromisoformat(alert["endsAt"].replace("Z", "+00:00")).timestamp()
    return ends <= posted_at + 0.001


def _posts(fake: FakeHttp) -> list[list[tuple[str, bool]]]:
    """Each POST as (controller or level, ended?) per alert."""
    return [
        [(a["labels"].get("controller") or a["labels"].get("level", ""), _ended(a, hit.wall)) for a in hit.json()]
        for hit in fake.hits
    ]


@pytest.mark.parametrize("names_base", [True, False], ids=["repeat_of", "older-than-the-notice"])
def test_a_resolved_notice_ends_a_repeat_that_was_the_first_thing_seen(
    r: redis.Redis, redis_url: str, fakes: Callable[..., FakeHttp], names_base: bool
) -> None:
    fake = fakes()
    made = _subscription(r, fake.base)
    settings = _settings(redis_url)
    repeat = _repeat(civilian_alert("fp-up-repeat-2"), 2, "fp-up" if names_base else None)
    assert alertmanager.deliver(r, settings, made, repeat, "100-0").ok
    notice = civilian_alert("fp-down", kind="resolved", value=400, resolves="fp-up").encode()
    answer = alertmanager.deliver(r, settings, made, notice, "200-0")
    assert answer.ok and answer.error is None
    assert _posts(fake) == [[("1000", False)], [("1000", True)]]
    assert not r.exists(keys.alertmanager_firing(made.id))
    assert alertmanager.resend(r, settings, made) is None  # nothing left to keep firing


def test_a_superseded_notice_ends_a_repeat_of_the_state_it_names(
    r: redis.Redis, redis_url: str, fakes: Callable[..., FakeHttp]
) -> None:
    fake = fakes()
    made = _subscription(r, fake.base)
    settings = _settings(redis_url)
    sdf = control_alert("fp-sdf-repeat-1", "Syrian Democratic Forces", "Islamic State")
    assert alertmanager.deliver(r, settings, made, _repeat(sdf, 1, "fp-sdf"), "100-0").ok
    notice = control_alert("fp-sup", "Islamic State", "Syrian Democratic Forces", "superseded", "fp-sdf")
    assert alertmanager.deliver(r, settings, made, notice.encode(), "300-0").ok
    assert _posts(fake) == [[("syrian-democratic-forces", False)], [("syrian-democratic-forces", True)]]
    assert not r.exists(keys.alertmanager_firing(made.id))


def test_a_late_retry_of_an_older_holder_is_sent_ended_and_the_newer_keeps_firing(
    r: redis.Redis, redis_url: str, fakes: Callable[..., FakeHttp]
) -> None:
    fake = fakes(Answer(500), Answer(200))
    made = _subscription(r, fake.base)
    settings = _settings(redis_url)
    holder_a = control_alert("fp-a", "Syrian Democratic Forces", "Islamic State").encode()
    holder_b = control_alert("fp-b", "Islamic State", "Syrian Democratic Forces").encode()
    assert not alertmanager.deliver(r, settings, made, holder_a, "100-0").ok  # a 500: retried later
    assert alertmanager.deliver(r, settings, made, holder_b, "200-0").ok
    assert alertmanager.deliver(r, settings, made, holder_a, "100-0").ok  # the retry, after B
    notice = control_alert("fp-sup", "Islamic State", "Syrian Democratic Forces", "superseded", "fp-a")
    assert alertmanager.deliver(r, settings, made, notice.encode(), "201-0").ok
    assert _posts(fake) == [
        [("syrian-democratic-forces", False)],  # answered 500
        [("islamic-state", False)],
        [("syrian-democratic-forces", True)],  # A arrives already ended; B is left alone
    ]
    (record,) = r.hvals(keys.alertmanager_firing(made.id))
    assert json.loads(record)["fingerprint"] == "fp-b" and json.loads(record)["stream"] == "200-0"
    again = alertmanager.resend(r, settings, made)
    assert again is not None and again.ok and _posts(fake)[-1] == [("islamic-state", False)]


def test_a_notice_that_never_gets_through_still_ends_its_alert_here(
    r: redis.Redis, redis_url: str, fakes: Callable[..., FakeHttp]
) -> None:
    fake = fakes(Answer(200), Answer(503), Answer(200))
    made = _subscription(r, fake.base)
    settings = _settings(redis_url)
    assert alertmanager.deliver(r, settings, made, civilian_alert("fp-up").encode(), "100-0").ok
    notice = civilian_alert("fp-down", kind="resolved", value=400, resolves="fp-up").encode()
    assert not alertmanager.deliver(r, settings, made, notice, "200-0").ok
    # Retries may run out: from now on the alert is no longer refreshed, so Alertmanager ends it.
    assert not r.exists(keys.alertmanager_firing(made.id))
    assert alertmanager.resend(r, settings, made) is None
    assert alertmanager.deliver(r, settings, made, notice, "200-0").ok  # a retry sends it ended again
    assert _posts(fake) == [[("1000", False)], [("1000", True)], [("1000", True)]]


def test_disabling_forgets_what_fires_so_enabling_revives_nothing(
    r: redis.Redis, redis_url: str, fakes: Callable[..., FakeHttp]
) -> None:
    fake = fakes()
    made = _subscription(r, fake.base)
    settings = _settings(redis_url)
    assert alertmanager.deliver(r, settings, made, civilian_alert("fp-up").encode(), "100-0").ok
    assert r.exists(keys.alertmanager_firing(made.id))
    subscriptions.set_status(r, made.id, "disabled", "HTTP 410 from the test")
    subscriptions.set_status(r, made.id, "active")
    assert alertmanager.resend(r, settings, made) is None and len(fake.hits) == 1


def _dripping_server(stop: threading.Event) -> int:
    """Answers a status line, then one header byte every 0.2 s for ever: each read is quick, the whole never ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)

    def serve() -> None:
        with listener:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                with connection:
                    connection.recv(65536)
                    connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not stop.wait(0.2):
                        try:
                            connection.sendall(b"a")
                        except OSError:
                            break

    threading.Thread(target=serve, daemon=True).start()
    port: int = listener.getsockname()[1]
    return port


def test_a_post_ends_by_its_deadline_however_slowly_the_receiver_answers() -> None:
    stop = threading.Event()
    try:
        port = _dripping_server(stop)
        targets = addresses.pin(f"http://127.0.0.1:{port}/api/v2/alerts", allow_private=True)
        started = time.monotonic()
        answer = http_post.send(targets, b"[]", {"content-type": "application/json"}, 1.0, deadline=started + 1.5)
        took = time.monotonic() - started
    finally:
        stop.set()
    assert answer.code is None and answer.error is not None and "Timeout" in answer.error
    assert 1.3 < took < 3.0, took
    # The Alertmanager lock outlives the longest POST, so no second attempt can start beside it.
    settings = DeliverySettings(webhook_timeout_seconds=1.0)
    assert alertmanager._lock_timeout(settings) > http_post.budget_seconds(1.0)
