"""Webhooks end to end on the suite's Redis: API process, a real `sitrep worker`, the dispatcher, a
local receiver. Retry waits are cut to fractions of a second; the code path is the production one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from rq import Queue

from core import keys
from core.delivery import addresses, signing, subscriptions, webhooks
from core.delivery.subscriptions import SubscriptionIn
from core.settings import DeliverySettings, IngestSettings
from services.api.app import create_app
from services.dispatcher import Dispatcher
from tests.delivery.conftest import (
    FAST_RETRIES,
    Receiver,
    dispatcher_running,
    log_alert,
    make_alert,
    process_env,
    start,
    stop,
)
from tests.delivery.test_signing_and_filters import independent_signature
from tests.helpers import wait_for_line, wait_until


def settings_for(redis_url: str, **overrides: Any) -> DeliverySettings:
    return DeliverySettings(
        redis_url=redis_url, webhook_retry_seconds=FAST_RETRIES, webhook_retry_jitter=0, **overrides
    )


@pytest.fixture
def dispatcher(r: redis.Redis, redis_url: str) -> Iterator[Dispatcher]:
    """The real dispatcher loop in a thread of the test process."""
    with dispatcher_running(redis_url, settings_for(redis_url), "test-dispatcher") as running:
        yield running


def start_worker(redis_url: str, **settings: str) -> Any:
    defaults = {
        "SITREP_WEBHOOK_RETRY_SECONDS": FAST_RETRIES,
        "SITREP_WEBHOOK_RETRY_JITTER": "0",
        "SITREP_WEBHOOK_TIMEOUT_SECONDS": "2",
    }
    env = process_env(redis_url, **{**defaults, **settings})
    process = start(["worker"], env)
    wait_for_line(process, "Listening on")
    return process


@pytest.fixture
def worker(r: redis.Redis, redis_url: str) -> Iterator[Any]:
    process = start_worker(redis_url)
    yield process
    stop(process)


def subscribe(api_url: str, url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(f"{api_url}/v1/subscriptions", json={"url": url, **body}, timeout=10)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def deliveries(api_url: str, subscription_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{api_url}/v1/subscriptions/{subscription_id}/deliveries", timeout=10)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_receiver_that_fails_three_times_gets_the_alert_once_with_one_webhook_id_then_a_replay(
    api_url: str,
    r: redis.Redis,
    worker: Any,
    dispatcher: Dispatcher,
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory(plan=[500, 500, 503, 200])
    subscription = subscribe(api_url, receiver.url, filters={"place": ["raqqa"]})
    secret = subscription["secret"]
    assert secret.startswith("whsec_")
    payload = make_alert(1, place="raqqa/al-nahda")
    log_alert(r, make_alert(2, place="palmyra"))  # filtered out
    stream_id = log_alert(r, payload)

    requests = receiver.wait_for(4)
    ids = {request.headers["webhook-id"] for request in requests}
    assert len(ids) == 1
    for request in requests:
        assert request.body == payload.encode()
        assert request.headers["content-type"] == "application/cloudevents+json"
        expected = independent_signature(
            secret, request.headers["webhook-id"], request.headers["webhook-timestamp"], request.body
        )
        assert request.headers["webhook-signature"] == expected
        tampered = request.body.replace(b"al-nahda", b"al-nahdA")
        assert (
            independent_signature(secret, request.headers["webhook-id"], request.headers["webhook-timestamp"], tampered)
            != expected
        )
        assert signing.verify(secret, request.headers, request.body)
        assert not signing.verify(secret, request.headers, tampered)
    assert [request.answered for request in requests] == [500, 500, 503, 200]

    (delivery,) = wait_until(
        lambda: [d for d in deliveries(api_url, subscription["id"]) if d["status"] == "delivered"],
        what="the delivery to be recorded as delivered",
    )
    assert delivery["id"] == ids.pop() and delivery["stream_id"] == stream_id
    attempts = delivery["attempts"]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in attempts] == [
        (1, 500, "retry"),
        (2, 500, "retry"),
        (3, 503, "retry"),
        (4, 200, "delivered"),
    ]
    assert all(a["duration_ms"] >= 0 and a["at"] for a in attempts) and attempts[0]["error"].startswith("HTTP 500")
    assert attempts[0]["at"] < attempts[1]["at"] < attempts[2]["at"] < attempts[3]["at"]

    replayed = httpx.post(
        f"{api_url}/v1/subscriptions/{subscription['id']}/deliveries/{delivery['id']}/replay", timeout=10
    )
    assert replayed.status_code == 202, replayed.text
    fifth = receiver.wait_for(5)[4]
    assert fifth.headers["webhook-id"] == delivery["id"] and fifth.body == payload.encode()
    last = wait_until(
        lambda: [d for d in deliveries(api_url, subscription["id"]) if len(d["attempts"]) == 5],
        what="the replay to be recorded",
    )[0]["attempts"][-1]
    assert (last["attempt"], last["status_code"], last["replay"]) == (5, 200, True)
    assert len(receiver.requests) == 5  # delivered once, replayed once: nothing else was sent


def test_410_disables_the_subscription_and_a_deleted_one_stops_its_retries(
    api_url: str,
    r: redis.Redis,
    worker: Any,
    dispatcher: Dispatcher,
    receiver_factory: Callable[..., Receiver],
) -> None:
    gone = receiver_factory(plan=[410])
    failing = receiver_factory(plan=[500])
    gone_sub = subscribe(api_url, gone.url)
    failing_sub = subscribe(api_url, failing.url)
    log_alert(r, make_alert(1))
    gone.wait_for(1)
    failing.wait_for(1)

    def status(subscription_id: str) -> str:
        return str(httpx.get(f"{api_url}/v1/subscriptions/{subscription_id}", timeout=10).json()["status"])

    wait_until(lambda: status(gone_sub["id"]) == "disabled", what="410 to disable the subscription")
    listed = httpx.get(f"{api_url}/v1/subscriptions", timeout=10).json()
    assert {s["id"]: s["disabled_reason"] for s in listed}[gone_sub["id"]].startswith("HTTP 410")
    ((delivery,),) = [deliveries(api_url, gone_sub["id"])]
    assert delivery["status"] == "gone" and [a["status_code"] for a in delivery["attempts"]] == [410]

    assert httpx.delete(f"{api_url}/v1/subscriptions/{failing_sub['id']}", timeout=10).status_code == 204
    log_alert(r, make_alert(2))
    wait_until(lambda: not r.xpending(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP)["pending"], what="dispatch")
    wait_until(
        lambda: r.hget(keys.delivery(failing.requests[0].headers["webhook-id"]), "status") == b"cancelled",
        what="the deleted subscription's retry to cancel itself",
    )
    assert len(gone.requests) == 1  # disabled: the second alert was not sent
    assert len(failing.requests) <= 2  # at most the retry already running when it was deleted

    replay = httpx.post(f"{api_url}/v1/subscriptions/{gone_sub['id']}/deliveries/{delivery['id']}/replay", timeout=10)
    assert replay.status_code == 409 and "enable" in replay.json()["detail"]
    enabled = httpx.post(f"{api_url}/v1/subscriptions/{gone_sub['id']}/enable", timeout=10)
    assert enabled.status_code == 200 and enabled.json()["status"] == "active"


def test_dispatchers_queue_one_job_per_alert_and_subscription_even_two_at_once_and_after_a_crash(
    r: redis.Redis, redis_url: str, api_url: str
) -> None:
    settings = settings_for(redis_url, dispatcher_claim_idle_milliseconds=200)
    log_alert(r, make_alert(0))  # logged before any subscription: nobody gets it
    everyone = subscribe(api_url, "http://127.0.0.1:9/all")
    only_trapped = subscribe(api_url, "http://127.0.0.1:9/trapped", filters={"category": ["trapped"]})
    first = Dispatcher(redis.Redis.from_url(redis_url), settings, consumer_name="one")
    first.ensure_group()
    first.step(block_milliseconds=None)  # the old alert is acknowledged without a delivery
    expected = 0
    for n in range(1, 21):
        category = "trapped" if n % 4 == 0 else None
        log_alert(r, make_alert(n, kind="civilian_threshold" if category else "control_changed", category=category))
        expected += 2 if category else 1
    # A dispatcher that read entries and died before doing anything with them.
    r.xreadgroup(keys.WEBHOOKS_GROUP, "crashed", {keys.ALERTS_STREAM: ">"}, count=5)
    second = Dispatcher(redis.Redis.from_url(redis_url), settings, consumer_name="two")
    threads = [threading.Thread(target=d.run, daemon=True) for d in (first, second)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: not r.xpending(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP)["pending"], what="all acked")
        queue = Queue(settings.webhook_queue_name, connection=r)
        jobs = [job for job in queue.get_jobs() if job is not None]
        assert len(jobs) == expected == first.enqueued + second.enqueued
        assert len({job.args for job in jobs}) == expected and {job.args[1] for job in jobs} == {1}
        assert len(deliveries(api_url, everyone["id"])) == 20
        assert len(deliveries(api_url, only_trapped["id"])) == 5
        # The crashed consumer's entries were claimed; reading them again queues nothing more.
        for d in (first, second):
            d.handle(r.xrange(keys.ALERTS_STREAM)[-1][0].decode(), r.xrange(keys.ALERTS_STREAM)[-1][1], [])
        assert queue.count == expected
    finally:
        for d in (first, second):
            d.stop.set()
        for thread in threads:
            thread.join(timeout=10)


def test_subscription_requests_are_validated(api_url: str, r: redis.Redis) -> None:
    with httpx.Client(base_url=api_url, timeout=10) as client:
        for body in (
            {"url": "ftp://example.org/hook"},
            {"url": "not a url"},
            {},
            {"url": "https://example.org/hook", "secret": "hunter2"},
            {"url": "https://example.org/hook", "filters": {"kind": ["control"]}},
            {"url": "https://example.org/hook", "filters": {"colour": ["red"]}},
        ):
            response = client.post("/v1/subscriptions", json=body)
            assert response.status_code == 422, (body, response.text)
        mine = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2"
        created = client.post("/v1/subscriptions", json={"url": "https://example.org/hook", "secret": mine}).json()
        assert created["secret"] == mine and created["status"] == "active"
        assert client.get(f"/v1/subscriptions/{created['id']}").json()["secret"] is None
        assert [s["secret"] for s in client.get("/v1/subscriptions").json()] == [None]
        assert client.get("/v1/subscriptions/sub_nope").status_code == 404
        assert client.get("/v1/subscriptions/sub_nope/deliveries").status_code == 404
        assert client.post(f"/v1/subscriptions/{created['id']}/deliveries/msg_nope/replay").status_code == 404
        assert client.delete(f"/v1/subscriptions/{created['id']}").status_code == 204
        assert client.delete(f"/v1/subscriptions/{created['id']}").status_code == 404
        assert client.get("/v1/subscriptions").json() == []


REPORT = {
    "source": "Test desk",
    "published_at": "2017-10-14T15:00:00Z",
    "text": "Kurdish-led fighters took the village of Tal Samin from the Islamic State group on Saturday.",
}


def test_a_hanging_webhook_holds_up_neither_extraction_nor_another_subscriber(
    api_url: str,
    r: redis.Redis,
    redis_url: str,
    dispatcher: Dispatcher,
    receiver_factory: Callable[..., Receiver],
) -> None:
    hanging = receiver_factory(hang_seconds=30)
    healthy = receiver_factory(plan=[200])
    stuck = subscribe(api_url, hanging.url)
    subscribe(api_url, healthy.url)
    for n in range(4):
        log_alert(r, make_alert(n))
    queue = Queue(DeliverySettings().webhook_queue_name, connection=r)
    wait_until(lambda: queue.count == 8, what="eight webhook jobs, hanging and healthy interleaved")
    process = start_worker(redis_url, SITREP_WEBHOOK_TIMEOUT_SECONDS="2", SITREP_WEBHOOK_RETRY_SECONDS="60")
    try:
        wait_until(lambda: len(hanging.arrivals) == 1, what="the first webhook attempt to start")
        ack = httpx.post(f"{api_url}/v1/reports", json=REPORT, timeout=10).json()
        wait_until(
            lambda: httpx.get(f"{api_url}{ack['status_url']}", timeout=10).json()["status"] == "done",
            what="the report to be processed",
        )
        # The report jumped the webhook queue: it ran while the first attempt hung (2 s), before the
        # healthy deliveries queued ahead of it.
        done_at = datetime.fromisoformat(r.hget(keys.report(ack["id"]), "done_at").decode()).timestamp()  # type: ignore[union-attr]
        healthy.wait_for(4)
        assert sum(1 for at in healthy.wall if at < done_at) < 4
        # After its one timeout the hanging endpoint is paused: its other deliveries were deferred,
        # not tried, so the healthy subscriber did not wait behind three more timeouts.
        assert len(hanging.arrivals) == 1

        def deferred() -> list[dict[str, Any]]:
            pending = [d for d in deliveries(api_url, stuck["id"]) if not d["attempts"]]
            waiting = [d for d in pending if d["deferred_until"] and d["status"] == "pending"]
            return waiting if len(waiting) == 3 else []

        wait_until(deferred, what="three deliveries deferred")
    finally:
        stop(process)
    (tried,) = [d for d in deliveries(api_url, stuck["id"]) if d["attempts"]]
    (attempt,) = tried["attempts"]
    assert attempt["outcome"] == "retry" and attempt["status_code"] is None
    assert attempt["error"].startswith("127.0.0.1: ReadTimeout") and 1900 <= attempt["duration_ms"] < 6000
    paused = httpx.get(f"{api_url}/v1/subscriptions/{stuck['id']}", timeout=10).json()
    assert paused["consecutive_failures"] == 1 and paused["paused_until"] is not None


def test_the_dispatcher_trims_the_log_by_age_when_asked(r: redis.Redis, redis_url: str) -> None:
    old = [r.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: make_alert(n)}, id=f"{1000 + n}-0") for n in range(3)]
    fresh = log_alert(r, make_alert(3))
    keep = Dispatcher(redis.Redis.from_url(redis_url), settings_for(redis_url), consumer_name="keep")
    keep.ensure_group()
    keep.step(block_milliseconds=None)
    assert r.xlen(keys.ALERTS_STREAM) == 4  # by default only the notifier's length trim applies
    aged = Dispatcher(
        redis.Redis.from_url(redis_url), settings_for(redis_url, alerts_stream_max_age_seconds=3600), "aged"
    )
    aged.step(block_milliseconds=None)
    assert [entry[0].decode() for entry in r.xrange(keys.ALERTS_STREAM)] == [fresh] and len(old) == 3


def test_a_first_dispatcher_starts_after_history_no_subscription_can_want(
    r: redis.Redis, redis_url: str, api_url: str
) -> None:
    for n in range(3):
        log_alert(r, make_alert(n))
    subscription = subscribe(api_url, "http://127.0.0.1:9/late")
    after = log_alert(r, make_alert(3))
    dispatcher = Dispatcher(redis.Redis.from_url(redis_url), settings_for(redis_url), consumer_name="first")
    dispatcher.ensure_group()
    assert dispatcher.step(block_milliseconds=None) == 1  # only the alert logged after the subscription
    ((delivery,),) = [deliveries(api_url, subscription["id"])]
    assert delivery["stream_id"] == after


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1"),
        ("http://localhost:8000/hook", "127.0.0.1"),
        ("http://[::1]/hook", "::1"),
        ("http://[::ffff:10.1.2.3]/hook", "::ffff:a01:203"),
        ("http://10.1.2.3/hook", "10.1.2.3"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://[64:ff9b::a00:5]/hook", "64:ff9b::a00:5"),  # NAT64 of 10.0.0.5
        ("http://[2002:7f00:1::]/hook", "2002:7f00:1::"),  # 6to4 of 127.0.0.1
        ("http://[::127.0.0.1]/hook", "::7f00:1"),  # IPv4-compatible
        ("http://224.0.0.251/hook", "224.0.0.251"),
        ("http://[::ffff:0:7f00:1]/hook", "::ffff:0:7f00:1"),  # IPv4-translated 127.0.0.1 (SIIT)
        ("http://[::ffff:0:a01:203]/hook", "::ffff:0:a01:203"),  # IPv4-translated 10.1.2.3
        ("http://[fec0::1]/hook", "fec0::1"),  # site-local
        ("http://[feff:ffff::1]/hook", "feff:ffff::1"),  # the top of fec0::/10
        ("https://[::ffff:0:808:808]/hook", None),  # IPv4-translated 8.8.8.8: public
        ("https://8.8.8.8/hook", None),
        ("https://[2001:4860:4860::8888]/hook", None),
        ("https://no-such-host.invalid/hook", None),  # nothing to send to now; each attempt checks again
    ],
)
def test_private_and_loopback_targets_are_recognised(url: str, refused: str | None) -> None:
    assert addresses.private_address(url) == refused


def test_a_private_target_is_refused_at_creation_and_not_sent_to_later(
    r: redis.Redis, redis_url: str, receiver_factory: Callable[..., Receiver]
) -> None:
    receiver = receiver_factory()
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        refused = client.post("/v1/subscriptions", json={"url": receiver.url})
        assert refused.status_code == 422
        (problem,) = refused.json()["errors"]
        assert problem["loc"] == ["body", "url"] and "127.0.0.1" in problem["msg"]
        assert addresses.ALLOW_SETTING in problem["msg"]
        assert client.post("/v1/subscriptions", json={"url": "https://8.8.8.8/hook"}).status_code == 201
    # Stored while private targets were allowed (or a public name repointed since): not sent either.
    stored = subscriptions.create(r, SubscriptionIn.model_validate({"url": receiver.url}))
    guarded = settings_for(redis_url)
    assert guarded.webhook_allow_private_addresses is False
    dispatcher = Dispatcher(r, guarded)
    dispatcher.ensure_group()
    log_alert(r, make_alert(1))
    dispatcher.step(block_milliseconds=None)
    (delivery,) = subscriptions.list_deliveries(r, stored.id, 10)
    assert webhooks.attempt_delivery(r, guarded, delivery.id, 1) == "retry"
    (attempt,) = subscriptions.delivery_view(r, delivery.id).attempts  # type: ignore[union-attr]
    assert attempt.status_code is None and attempt.error is not None and "not sent" in attempt.error
    assert receiver.requests == []  # every other test here delivers to such a receiver, with the setting on
