"""Per-caller rate limits against the real Redis: a key's token bucket (one script call a request) refuses
with 429, Retry-After and RateLimit headers past its rate, refills, is shared by every API process, and
follows the key's own rate or the API's default; an open API is limited per address beyond loopback only."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import redis
import redis.asyncio
import uvicorn
from fastapi.testclient import TestClient

from core import api_keys, keys
from core.api_keys import ApiKeyIn
from core.rate_limit import RateLimiter
from core.settings import IngestSettings
from services.api.app import create_app
from services.cli.main import proxy_options
from tests.conftest import fixture_reports
from tests.helpers import wait_until


def app_client(redis_url: str, rate: float = 100.0, burst_seconds: float = 3.0, **kwargs: bool) -> TestClient:
    settings = IngestSettings(redis_url=redis_url, rate_limit_per_second=rate, rate_limit_burst_seconds=burst_seconds)
    return TestClient(create_app(settings, **kwargs))


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with app_client(redis_url, rate=1.0) as test_client:
        yield test_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_past_its_rate_gets_429_with_retry_after_then_is_served_again(client: TestClient, r: redis.Redis) -> None:
    key = api_keys.create(r, ApiKeyIn(name="feed", scopes=["read"])).key  # the default: 1 a second, 3 at once
    answers = [client.get("/v1/alerts", headers=bearer(key)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit"] for a in answers[:3]] == [f'"sitrep";r={n};t={3 - n}' for n in (2, 1, 0)]
    assert answers[0].headers["RateLimit-Policy"] == '"sitrep";q=3;w=3'
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and "1 requests a second" in refused.json()["detail"]
    assert refused.headers["Retry-After"] == "1" and refused.headers["RateLimit"].startswith('"sitrep";r=0;')
    time.sleep(1.05)  # the bucket refills at the key's rate; there is no event to await
    assert client.get("/v1/alerts", headers=bearer(key)).status_code == 200
    assert client.get("/v1/alerts", headers=bearer(key)).status_code == 429
    # Another key has its own bucket; probes and docs are never limited.
    other = api_keys.create(r, ApiKeyIn(name="desk", scopes=["read"])).key
    assert client.get("/v1/alerts", headers=bearer(other)).status_code == 200
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_a_keys_own_rate_wins_over_the_default_and_zero_means_unlimited(client: TestClient, r: redis.Redis) -> None:
    fast = api_keys.create(r, ApiKeyIn(name="fast", scopes=["ingest"], rate_per_second=10)).key
    free = api_keys.create(r, ApiKeyIn(name="free", scopes=["read"], rate_per_second=0)).key
    began, taken = time.monotonic(), 0
    while (
        answer := client.post("/v1/reports", json=dict(fixture_reports()[0], id=f"x{taken}"), headers=bearer(fast))
    ).status_code == 202:
        taken += 1
    # 10 a second, 30 at once (and what refilled meanwhile), against the default of 1 a second
    assert answer.status_code == 429 and 30 <= taken <= 30 + 10 * (time.monotonic() - began) + 1
    assert r.exists(keys.report(f"fast:x{taken - 1}")) and not r.exists(keys.report(f"fast:x{taken}"))  # not stored
    unlimited = [client.get("/v1/alerts", headers=bearer(free)) for _ in range(20)]
    assert all(a.status_code == 200 and "RateLimit" not in a.headers for a in unlimited)


def test_every_api_process_draws_from_the_same_bucket(r: redis.Redis, redis_url: str) -> None:
    key = api_keys.create(r, ApiKeyIn(name="feed", scopes=["read"])).key
    with app_client(redis_url, rate=1.0) as first, app_client(redis_url, rate=1.0) as second:
        assert [first.get("/v1/alerts", headers=bearer(key)).status_code for _ in range(2)] == [200, 200]
        assert second.get("/v1/alerts", headers=bearer(key)).status_code == 200
        assert second.get("/v1/alerts", headers=bearer(key)).status_code == 429
        assert first.get("/v1/alerts", headers=bearer(key)).status_code == 429


def test_two_processes_at_a_high_rate_serve_no_more_than_the_burst_and_the_rate_between_them(
    r: redis.Redis, redis_url: str
) -> None:
    """At 100 a second each process leases ten tokens at a time: leases must not add up past the bucket."""
    key = api_keys.create(r, ApiKeyIn(name="feed", scopes=["read"], rate_per_second=100)).key
    with app_client(redis_url, burst_seconds=1.0) as first, app_client(redis_url, burst_seconds=1.0) as second:
        began = time.monotonic()
        answers = [(first, second)[n % 2].get("/v1/alerts", headers=bearer(key)).status_code for n in range(600)]
        elapsed = time.monotonic() - began
    served = answers.count(200)
    assert answers.count(429) > 0, f"{served} served in {elapsed:.2f} s: the limit was never reached, no test"
    assert 100 <= served <= 100 + 100 * elapsed, (served, elapsed)
    assert answers[::2].count(200) > 0 and answers[1::2].count(200) > 0  # both processes served some


def test_an_open_api_is_limited_per_address_beyond_loopback_only(r: redis.Redis, redis_url: str) -> None:
    with app_client(redis_url, rate=1.0, allow_open=True, local_hosts_only=False) as exposed:  # --insecure-open
        assert [exposed.get("/v1/alerts").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert r.exists(keys.rate_limit("addr:testclient"))
    with app_client(redis_url, rate=1.0, allow_open=True, local_hosts_only=True) as local:  # bound to loopback
        headers = {"Host": "127.0.0.1"}
        assert all(local.get("/v1/alerts", headers=headers).status_code == 200 for _ in range(10))


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"], ids=["default", "proxy-trusted"])
def test_the_per_address_limit_ignores_x_forwarded_for_unless_a_proxy_is_trusted(
    r: redis.Redis, redis_url: str, trusted: str
) -> None:
    """The real uvicorn, with `sitrep api`'s options: by default the socket's peer is the caller."""
    settings = IngestSettings(redis_url=redis_url, rate_limit_per_second=1.0, forwarded_allow_ips=trusted)
    app = create_app(settings, allow_open=True, local_hosts_only=False)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on", **proxy_options(settings)))
    listener = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout_seconds=10, what="uvicorn to start")
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1/alerts"
        for forwarded in ("203.0.113.9", "2001:db8:1:2::a", "2001:db8:1:2::b"):
            httpx.get(url, headers={"X-Forwarded-For": forwarded}, timeout=5)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
    buckets = {name.decode() for name in r.scan_iter(keys.rate_limit("addr:*"))}
    if trusted:  # behind a named proxy: the client it names, an IPv6 one by its /64
        assert buckets == {keys.rate_limit("addr:203.0.113.9"), keys.rate_limit("addr:2001:db8:1:2::/64")}
    else:
        assert buckets == {keys.rate_limit("addr:127.0.0.1")}


def test_the_bucket_refills_at_its_rate_and_holds_at_most_its_burst(r: redis.Redis, redis_url: str) -> None:
    async def run() -> list[tuple[bool, int]]:
        client = redis.asyncio.Redis.from_url(redis_url)
        limiter = RateLimiter(default_rate=20.0, burst_seconds=0.5)  # 20 a second, 10 at once
        try:
            seen = [await limiter.take(client, "probe", 20.0) for _ in range(11)]
            await asyncio.sleep(0.25)  # five tokens come back
            seen += [await limiter.take(client, "probe", 20.0) for _ in range(6)]
            return [(d.allowed, d.remaining) for d in seen]
        finally:
            await client.aclose()

    seen = asyncio.run(run())
    assert seen[:10] == [(True, n) for n in range(9, -1, -1)] and seen[10] == (False, 0)
    assert [allowed for allowed, _ in seen[11:]] == [True] * 5 + [False]
    assert 0 < r.pttl(keys.rate_limit("probe")) <= 1600  # an idle bucket leaves Redis once full again


def test_keys_create_takes_a_rate_and_lists_it(r: redis.Redis, client: TestClient) -> None:
    admin = api_keys.create(r, ApiKeyIn(name="root", scopes=["admin"], rate_per_second=0)).key
    made = client.post(
        "/v1/keys", json={"name": "slow", "scopes": ["ingest"], "rate_per_second": 2.5}, headers=bearer(admin)
    )
    assert made.status_code == 201 and made.json()["rate_per_second"] == 2.5
    bad = client.post(
        "/v1/keys", json={"name": "bad", "scopes": ["read"], "rate_per_second": -1}, headers=bearer(admin)
    )
    assert bad.status_code == 422 and re.search("rate_per_second", bad.text)


def test_a_process_draws_tokens_a_lease_at_a_time_and_remembers_a_refusal(r: redis.Redis, redis_url: str) -> None:
    async def run() -> tuple[list[int], list[float], int]:
        client = redis.asyncio.Redis.from_url(redis_url)
        limiter = RateLimiter(default_rate=1000.0, burst_seconds=1.0)  # 1,000 at once, drawn 100 at a time
        stored: list[float] = []
        try:
            remaining = [(await limiter.take(client, "busy", 1000.0)).remaining for _ in range(101)]
            stored.append(float(r.hget(keys.rate_limit("busy"), "tokens") or 0))
            slow = [await limiter.take(client, "slow", 5.0) for _ in range(3)]  # 5 a second, 5 at once: 1 a draw
            r.hset(keys.rate_limit("slow"), "tokens", "0")  # emptied by another process
            refused = [await limiter.take(client, "slow", 5.0) for _ in range(3)]
            assert all(d.allowed for d in slow) and not any(d.allowed for d in refused)
            calls_before = int(r.info("stats")["total_commands_processed"])
            await limiter.take(client, "slow", 5.0)  # still refused, from memory
            calls = int(r.info("stats")["total_commands_processed"]) - calls_before - 1  # the INFO itself
            return remaining, stored, calls
        finally:
            await client.aclose()

    remaining, stored, calls = asyncio.run(run())
    assert remaining[0] == 999 and remaining[99] == 900  # what the bucket had, plus this process's lease
    assert 800 <= stored[0] < 810  # two draws of 100 (and what refilled in between)
    assert calls == 0
