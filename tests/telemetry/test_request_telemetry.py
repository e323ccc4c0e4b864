"""The request middleware on the real app and Redis: ids echoed, requests counted by template, bounded labels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import IngestSettings
from services.api.app import create_app
from tests.telemetry.scrape import scrape


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


def test_every_answer_carries_a_request_id_the_clients_when_plain(client: TestClient) -> None:
    assert client.get("/livez", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/livez").headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/livez").headers["x-request-id"]
    assert client.get("/nowhere", headers={"X-Request-ID": "x" * 129}).headers["x-request-id"] != "x" * 129
    refused = client.post("/v1/reports", content=b"{}", headers={"content-type": "text/plain", "X-Request-ID": "t-1"})
    assert refused.status_code == 415 and refused.headers["x-request-id"] == "t-1"


def test_requests_are_counted_by_route_template_and_odd_methods_and_paths_add_no_series(client: TestClient) -> None:
    for report_id in ("r-one", "r-two", "r-three"):
        assert client.get(f"/v1/reports/{report_id}").status_code == 404
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    assert client.request("BREW", "/v1/reports").status_code == 405
    assert client.post("/v1/reports", json={"text": "no source"}).status_code == 422
    got = scrape(client)
    count = "sitrep_http_request_duration_seconds_count"
    assert got.value(count, method="GET", route="/v1/reports/{report_id}", status="404") == 3
    assert got.value(count, method="GET", route="unmatched", status="404") == 2
    assert got.value(count, method="other", route="/v1/reports", status="405") == 1
    assert got.value("sitrep_reports_ingested_total", outcome="rejected") == 1
    routes = {labels["route"] for labels, _ in got.samples(count)}
    assert not any("r-one" in route or "/no/such" in route for route in routes)
