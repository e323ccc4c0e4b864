"""The ingest API against a real Redis: validation, atomic store-and-enqueue, idempotency."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from rq import Queue

from core import api_keys, keys
from core.api_keys import ApiKeyIn
from core.embedded_redis import free_port
from core.settings import IngestSettings
from services.api.app import create_app
from tests.conftest import fixture_reports


def nothing_stored(r: redis.Redis) -> bool:
    """No key but the caller's rate-limit bucket (an open API beyond loopback counts requests per address)."""
    return not [name for name in r.scan_iter() if not name.startswith(b"sitrep:rate:")]


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    settings = IngestSettings(redis_url=redis_url, max_body_bytes=50_000, max_batch_reports=5)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def report(**overrides: Any) -> dict[str, Any]:
    base = dict(fixture_reports()[0])
    base.update(overrides)
    return base


def test_post_returns_202_with_id_and_status_url_and_queues_a_job(client: TestClient, r: redis.Redis) -> None:
    response = client.post("/v1/reports", json=report())
    assert response.status_code == 202
    body = response.json()
    assert body == {
        "id": "fixture-raqqa-nahda",
        "status": "queued",
        "status_url": "/v1/reports/fixture-raqqa-nahda",
        "duplicate_of": None,
    }
    assert r.hget(keys.report("fixture-raqqa-nahda"), "status") == b"queued"
    queue = Queue("sitrep", connection=r)
    (job,) = queue.get_jobs()
    assert job.func_name == "workers.jobs.process_reports"
    assert r.lrange(keys.job_reports(job.id), 0, -1) == [b"fixture-raqqa-nahda"]


def test_report_without_id_gets_one_derived_from_content(client: TestClient) -> None:
    first = client.post("/v1/reports", json=report(id=None)).json()
    second = client.post("/v1/reports", json=report(id=None, title="another headline")).json()
    assert first["id"].startswith("r-")
    assert second == {**first, "status": "duplicate", "duplicate_of": first["id"]}


def test_resend_with_same_id_is_a_duplicate_of_the_original(client: TestClient) -> None:
    client.post("/v1/reports", json=report())
    again = client.post("/v1/reports", json=report()).json()
    assert again["status"] == "duplicate"
    assert again["duplicate_of"] == "fixture-raqqa-nahda"


def test_same_text_from_same_source_under_new_id_is_a_duplicate(client: TestClient) -> None:
    client.post("/v1/reports", json=report())
    text = "  " + report()["text"] + "\n"
    copy = client.post("/v1/reports", json=report(id="copy-1", text=text)).json()
    assert copy == {
        "id": "copy-1",
        "status": "duplicate",
        "status_url": "/v1/reports/copy-1",
        "duplicate_of": "fixture-raqqa-nahda",
    }
    assert client.get("/v1/reports/copy-1").json()["status"] == "duplicate"


def test_same_text_from_another_source_is_a_new_report(client: TestClient) -> None:
    client.post("/v1/reports", json=report())
    other = client.post("/v1/reports", json=report(id="other-outlet", source="Another outlet")).json()
    assert other["status"] == "queued"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"published_at": "last tuesday"}, "published_at"),
        ({"text": ""}, "text"),
        ({"source": None}, "source"),
        ({"colour": "red"}, "colour"),
        ({"id": "has spaces"}, "id"),
    ],
)
def test_invalid_report_is_422_naming_the_field(
    client: TestClient, r: redis.Redis, change: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/reports", json=report(**change))
    assert response.status_code == 422
    assert any(field in detail["loc"] for detail in response.json()["errors"])
    assert nothing_stored(r)


def test_missing_field_is_named(client: TestClient) -> None:
    body = report()
    del body["published_at"]
    response = client.post("/v1/reports", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "published_at"]


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post("/v1/reports", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_oversized_body_is_413_and_nothing_is_stored(client: TestClient, r: redis.Redis) -> None:
    response = client.post("/v1/reports", json=report(text="x" * 60_000))
    assert response.status_code == 413
    assert nothing_stored(r)


def test_batch_is_accepted_in_order_with_duplicates_counted(client: TestClient) -> None:
    reports = fixture_reports()
    response = client.post("/v1/reports/batch", json=[*reports, reports[0]])
    assert response.status_code == 202
    body = response.json()
    assert [ack["id"] for ack in body["reports"]] == [rep["id"] for rep in reports] + [reports[0]["id"]]
    assert (body["accepted"], body["duplicates"]) == (3, 1)


def test_batch_with_one_bad_report_stores_nothing(client: TestClient, r: redis.Redis) -> None:
    reports = fixture_reports()
    reports[1]["published_at"] = "soon"
    response = client.post("/v1/reports/batch", json=reports)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "reports", 1, "published_at"]
    assert nothing_stored(r)


def test_batch_over_the_limit_is_413(client: TestClient) -> None:
    reports = [report(id=f"r{i}", text=f"report number {i}") for i in range(6)]
    assert client.post("/v1/reports/batch", json=reports).status_code == 413


@pytest.mark.parametrize("body", [[], {"reports": "no"}, "text"])
def test_batch_must_be_a_nonempty_array(client: TestClient, body: Any) -> None:
    assert client.post("/v1/reports/batch", json=body).status_code == 422


def test_unknown_report_is_404(client: TestClient) -> None:
    assert client.get("/v1/reports/nope").status_code == 404


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/reports",
        "/v1/reports/batch",
        "/v1/reports/{report_id}",
        "/v1/events",
        "/v1/situation",
        "/v1/alerts",
        "/healthz",
    ):
        assert path in spec["paths"], path
    body_schema = spec["paths"]["/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    model = spec["components"]["schemas"][body_schema["$ref"].rsplit("/", 1)[1]]
    assert {"source", "text", "published_at"} <= set(model["required"])
    ack = spec["paths"]["/v1/reports"]["post"]["responses"]["202"]["content"]["application/json"]["schema"]
    assert ack["$ref"].rsplit("/", 1)[1] in spec["components"]["schemas"]


def test_redis_down_is_503_not_a_trace(redis_url: str) -> None:
    settings = IngestSettings(redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/reports", json=report())
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert response.json()["detail"] == "Redis is unavailable, nothing was stored: ConnectionError"
        assert client.get("/healthz").status_code == 503


def _metric(text: str, name: str) -> float:
    """The value of one sample line of the Prometheus text format."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no sample {name!r} in:\n{text}")


def test_metrics_count_accepted_reports_and_read_queue_depth_from_redis(client: TestClient, r: redis.Redis) -> None:
    client.post("/v1/reports", json=report())
    client.post("/v1/reports", json=report())  # a resend
    client.post("/v1/reports/batch", json=[report(id="m-1"), report(id="m-2", text="Another text entirely.")])
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert _metric(text, 'sitrep_reports_ingested_total{outcome="queued"}') == 2
    assert _metric(text, 'sitrep_reports_ingested_total{outcome="duplicate"}') == 2
    # the resend makes no job, and the batch joins the first POST's job, which no worker has started
    assert _metric(text, 'sitrep_queue_jobs{queue="sitrep"}') == r.llen("rq:queue:sitrep") == 1
    assert _metric(text, 'sitrep_failed_jobs{queue="sitrep"}') == 0
    assert _metric(text, 'sitrep_queue_jobs{queue="sitrep-webhooks"}') == 0
    assert _metric(text, "sitrep_redis_used_memory_bytes") > 0


def test_livez_answers_and_healthz_says_503_when_redis_is_gone() -> None:
    """Liveness must not depend on Redis (an outage would restart every API pod); readiness must."""
    settings = IngestSettings(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with TestClient(create_app(settings)) as client:
        assert client.get("/livez").json() == {"status": "ok"}
        health = client.get("/healthz")
        assert health.status_code == 503
        assert "Redis is unavailable" in health.json()["detail"]


def test_healthz_gives_up_on_a_redis_that_never_answers() -> None:
    """A Redis that accepts connections but never replies (or a pool with no free connection): /healthz
    answers 503 after HEALTH_TIMEOUT_SECONDS instead of outwaiting the probe."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody ever reads or writes
        port = silent.getsockname()[1]
        with TestClient(create_app(IngestSettings(redis_url=f"redis://127.0.0.1:{port}/0"))) as client:
            health = client.get("/healthz")
            post = client.post("/v1/reports", json=report())  # the client's own socket timeout (5 s) ends it
    assert health.status_code == 503 and health.headers["retry-after"] == "1"
    assert health.json()["detail"] == "Redis did not answer in time: TimeoutError"
    assert post.status_code == 503 and post.headers["retry-after"] == "1"
    assert post.json()["detail"].endswith("may or may not have happened, and resending is safe: TimeoutError")


def test_only_an_admin_key_may_say_a_report_came_from_a_feed_or_an_archive(client: TestClient, r: redis.Redis) -> None:
    ingest = api_keys.create(r, ApiKeyIn(name="wire", scopes=["ingest"])).key
    admin = api_keys.create(r, ApiKeyIn(name="ops", scopes=["admin"])).key
    forged = {"via": "feed", "feed_url": "https://trusted.example.org/wire.rss", "item_guid": "w-1"}

    def provenance_shown(path: str, body: Any, key: str) -> Any:
        answer = client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 202, answer.text
        ack = answer.json() if path == "/v1/reports" else answer.json()["reports"][0]
        shown = client.get(ack["status_url"], headers={"Authorization": f"Bearer {admin}"}).json()
        said = shown.get("provenance")
        return {name: value for name, value in said.items() if value is not None} if said else None

    single = report(id="forged-1", provenance=forged)
    assert provenance_shown("/v1/reports", single, ingest) == {"via": "api"}
    batch = [report(id="forged-2", text="Another account of the night.", provenance=forged)]
    assert provenance_shown("/v1/reports/batch", batch, ingest) == {"via": "api"}
    assert provenance_shown("/v1/reports", report(id="plain-1", text="A plain account."), ingest) is None
    relayed = report(id="relayed-1", text="A relayed account.", provenance=forged)
    assert provenance_shown("/v1/reports", relayed, admin) == forged
