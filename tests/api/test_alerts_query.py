"""GET /v1/alerts takes the SSE stream's filters and pages through the log with `since` and `Link`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import IngestSettings
from services.api import alerts
from services.api.app import create_app
from tests.delivery.conftest import log_alert, make_alert


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


@pytest.fixture
def mixed_log(r: redis.Redis) -> list[str]:
    """Thirty alerts: every third about al-Nahda, every fifth a trapped-civilian threshold about Homs."""
    ids = []
    for n in range(30):
        if n % 5 == 0:
            ids.append(log_alert(r, make_alert(n, "homs", "civilian_threshold", category="trapped")))
        elif n % 3 == 0:
            ids.append(log_alert(r, make_alert(n, "raqqa/al-nahda")))
        else:
            ids.append(log_alert(r, make_alert(n, "tabqa")))
    return ids


def _numbers(body: list[dict[str, str]]) -> list[int]:
    return [int(alert["id"].split("-")[1]) for alert in body]


def test_the_streams_filters_apply_to_the_log(client: TestClient, mixed_log: list[str]) -> None:
    raqqa = client.get("/v1/alerts?since=0&place=raqqa").json()
    assert _numbers(raqqa) == [3, 6, 9, 12, 18, 21, 24, 27]
    assert all(alert["stream_id"] == mixed_log[n] for alert, n in zip(raqqa, _numbers(raqqa), strict=True))
    assert _numbers(client.get("/v1/alerts?since=0&category=trapped").json()) == [0, 5, 10, 15, 20, 25]
    by_type = client.get("/v1/alerts?since=0&type=sitrep.alert.civilian_threshold").json()
    assert _numbers(by_type) == _numbers(client.get("/v1/alerts?since=0&kind=civilian_threshold").json())
    newest = client.get("/v1/alerts?place=tabqa&limit=3").json()  # without since: the newest, in log order
    assert _numbers(newest) == [26, 28, 29]
    both = client.get("/v1/alerts?since=0&place=homs&place=tabqa&kind=control_changed").json()
    assert _numbers(both) == [n for n in range(30) if n % 5 and n % 3]


def test_a_filtered_read_is_bounded_and_link_continues_without_loss_or_repeat(
    client: TestClient, mixed_log: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts, "SCAN_BUDGET", 4)
    monkeypatch.setattr(alerts, "_CHUNK", 4)
    seen: list[int] = []
    url: str | None = "/v1/alerts?since=0&category=trapped&limit=100"
    pages = 0
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        seen += _numbers(response.json())
        pages += 1
        link = re.match(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        url = link.group(1) if link else None
    assert seen == [0, 5, 10, 15, 20, 25] and pages >= 7  # four entries looked at per request


@pytest.mark.parametrize(
    "query", ["category=stranded", "kind=control", "place=raqqa&since=last-week", "type=sitrep.alert.nothing"]
)
def test_bad_filters_are_422_problem_details(client: TestClient, query: str) -> None:
    response = client.get(f"/v1/alerts?{query}")
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 422


def test_a_filtered_page_that_fills_its_limit_still_links_to_the_rest(client: TestClient, mixed_log: list[str]) -> None:
    """The log is shorter than one read: a page that stops at `limit` inside it must still say where to go on."""
    seen: list[int] = []
    url: str | None = "/v1/alerts?since=0&place=raqqa&limit=3"
    while url is not None and len(seen) < 30:
        response = client.get(url)
        assert response.status_code == 200
        seen += _numbers(response.json())
        link = re.match(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        url = link.group(1) if link else None
    assert seen == [3, 6, 9, 12, 18, 21, 24, 27]


@pytest.mark.parametrize("since", ["18446744073709551616-0", "1-18446744073709551616", "99999999999999999999"])
def test_a_stream_id_past_what_redis_counts_is_a_422_not_redis_unavailable(client: TestClient, since: str) -> None:
    """Twenty digits pass a pattern but not Redis (ids are two 64-bit numbers): the caller's mistake, not a 503."""
    for path in ("/v1/alerts", "/v1/alerts/stream"):
        response = client.get(f"{path}?since={since}")
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_since_the_largest_stream_id_is_an_empty_page(client: TestClient, mixed_log: list[str]) -> None:
    largest = f"{2**64 - 1}-{2**64 - 1}"
    response = client.get(f"/v1/alerts?since={largest}&place=raqqa")
    assert response.status_code == 200 and response.json() == [] and "link" not in response.headers
