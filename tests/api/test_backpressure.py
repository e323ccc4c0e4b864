"""Backpressure against a real Redis with a small maxmemory and a real worker process: a flood past the
backlog limit, or towards Redis's maxmemory, gets 503 with Retry-After (readiness stays 200 and says that
ingest is paused); Redis never reaches its maxmemory; and every report accepted is processed once the
flood ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from core import keys
from core.embedded_redis import EmbeddedRedis
from core.settings import IngestSettings
from services.api.admission import PROCESSED_BYTES_PER_REPORT
from services.api.app import create_app
from tests.helpers import start, stop_all, wait_for_line, wait_until

MAXMEMORY = 48 << 20


@pytest.fixture
def small_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(data_dir=tmp_path / "redis", persistent=False, maxmemory_bytes=MAXMEMORY)
    server.start()
    yield server
    server.stop()


def batch(start_at: int, count: int, filler: int = 0) -> list[dict[str, Any]]:
    pad = " ".join(f"The statement ran to many paragraphs, number {k} of them on logistics." for k in range(filler))
    return [
        {
            "id": f"flood-{i}",
            "source": f"wire-{i % 7}",
            "published_at": "2017-10-14T12:00:00Z",
            "text": f"Rebels said they captured the village of Floodtown{i} on Saturday. {pad}",
        }
        for i in range(start_at, start_at + count)
    ]


def flood(client: TestClient, size: int, filler: int, limit: int = 400) -> tuple[list[str], list[httpx.Response]]:
    """POST batches until readiness turns false (a fresh reading over a limit); the ids accepted and the
    refusals (between two readings the API refuses on its own estimate, on the high side)."""
    accepted: list[str] = []
    refused: list[httpx.Response] = []
    for n in range(limit):
        response = client.post("/v1/reports/batch", json=batch(n * size, size, filler))
        if response.status_code == 202:
            accepted += [ack["id"] for ack in response.json()["reports"]]
            continue
        assert response.status_code == 503, response.text
        refused.append(response)
        if "ingest_paused" in client.get("/healthz").json():
            break
        time.sleep(0.05)
    return accepted, refused


def drain(r: redis.Redis, env: dict[str, str], accepted: list[str]) -> None:
    worker = start(["worker"], env)
    try:
        wait_for_line(worker, "Listening on", timeout_seconds=60)
        try:
            wait_until(lambda: int(r.get(keys.BACKLOG) or 0) == 0, timeout_seconds=180, what="the backlog to drain")
        except AssertionError:
            print(
                "DEBUG",
                r.get(keys.BACKLOG),
                r.info("memory")["used_memory"],
                r.llen("rq:queue:sitrep"),
                r.zcard("rq:failed:sitrep"),
            )
            raise
    finally:
        stop_all([worker])
    with r.pipeline(transaction=False) as pipe:
        for rid in accepted:
            pipe.hget(keys.report(rid), "status")
        statuses = pipe.execute()
    assert statuses == [b"done"] * len(accepted)


def test_a_flood_past_the_backlog_limit_is_refused_then_drained(
    small_redis: EmbeddedRedis, child_env: dict[str, str]
) -> None:
    r = redis.Redis.from_url(small_redis.url)
    settings = IngestSettings(redis_url=small_redis.url, admission_max_backlog=300, admission_max_memory_share=1.0)
    with TestClient(create_app(settings)) as client:
        accepted, refused = flood(client, size=50, filler=0)
        assert refused, "the flood was never refused"
        assert 300 <= len(accepted) <= 300 + 50  # what this API admitted since its last reading counts too
        assert all(response.headers["Retry-After"].isdigit() for response in refused)
        assert "reports wait to be processed" in refused[0].json()["detail"]
        assert client.post("/v1/reports", json=batch(10**6, 1)[0]).status_code == 503
        time.sleep(0.25)
        assert client.post("/v1/reports", json=batch(10**6, 1)[0]).status_code == 503  # a fresh reading refuses too
        # Readiness stays: a flood pauses every replica's ingest at once, and must not leave a load balancer
        # with no replica to answer reads and say 503 + Retry-After.
        ready = client.get("/healthz")
        assert ready.status_code == 200 and "reports wait" in ready.json()["ingest_paused"]
        assert client.get("/livez").status_code == 200
        assert client.get("/v1/reports/flood-0").status_code == 200
        assert f"sitrep_reports_backlog {len(accepted)}.0" in client.get("/metrics").text

        drain(r, {**child_env, "REDIS_URL": small_redis.url}, accepted)
        assert client.get("/healthz").json() == {"status": "ok"}
        time.sleep(0.25)
        assert client.post("/v1/reports", json=batch(10**6, 1)[0]).status_code == 202


def test_a_flood_towards_maxmemory_is_refused_before_redis_refuses_writes(
    small_redis: EmbeddedRedis, child_env: dict[str, str]
) -> None:
    r = redis.Redis.from_url(small_redis.url)
    assert int(r.config_get("maxmemory")["maxmemory"]) == MAXMEMORY
    assert r.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    settings = IngestSettings(redis_url=small_redis.url, admission_max_backlog=0, admission_max_memory_share=0.5)
    with TestClient(create_app(settings)) as client:
        accepted, refused = flood(client, size=100, filler=60)  # ~5 KB a report
        assert refused and len(accepted) > 1000
        for response in refused:  # refused by admission control, never by Redis (an OOM error)
            assert "maxmemory" in response.json()["detail"] and response.headers["Retry-After"]
        used = r.info("memory")["used_memory"]
        backlog = int(r.get(keys.BACKLOG) or 0)
        assert backlog == len(accepted)
        # Refused because what is stored, and what processing the backlog will add, pass half of maxmemory.
        assert used < 0.5 * MAXMEMORY < used + backlog * PROCESSED_BYTES_PER_REPORT
        assert "maxmemory" in client.get("/healthz").json()["ingest_paused"]
        drain(r, {**child_env, "REDIS_URL": small_redis.url}, accepted)
        assert r.info("memory")["used_memory"] < 0.5 * MAXMEMORY  # processing fitted in what was set aside
