"""The OpenAPI document: readable operation ids, typed read routes, problem details for every error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from core import keys
from core.settings import IngestSettings
from schemas.situation import Situation
from services.api.app import create_app
from services.api.events import EventPage
from tests.api.test_events_export import _strikes
from tests.dedup.helpers import process

READ_ROUTES = {
    ("/v1/events", "get"): "EventPage",
    ("/v1/events/{event_id}", "get"): "CanonicalEvent",
    ("/v1/reports/{report_id}", "get"): "ReportDetail",
    ("/v1/situation/{place_id}", "get"): "Situation",
    ("/v1/places/{place_id}", "get"): "PlaceHistory",
    ("/v1/map/outlines", "get"): "Outlines",
}


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


@pytest.fixture
def schema(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_operation_ids_are_unique_function_names(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    assert all(op_id.isidentifier() and "_v1_" not in op_id for op_id in ids), ids
    assert {"list_events", "get_event", "export_events_csv", "list_alerts", "post_report"} <= set(ids)


def test_read_routes_are_typed(schema: dict[str, Any]) -> None:
    for (path, method), model in READ_ROUTES.items():
        content = schema["paths"][path][method]["responses"]["200"]["content"]
        media = "application/geo+json" if path == "/v1/map/outlines" else "application/json"
        assert content[media]["schema"] == {"$ref": f"#/components/schemas/{model}"}, path
    for path in ("/v1/alerts", "/v1/situation", "/v1/places"):
        items = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]
        assert items["$ref"].startswith("#/components/schemas/"), path


def test_every_error_answer_is_documented_as_problem_details(schema: dict[str, Any]) -> None:
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (path, method, code)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["properties"])


def test_answers_fit_their_declared_models(r: redis.Redis, client: TestClient) -> None:
    process(r, _strikes(1, ["Homs", "Mosul"]))
    page = EventPage.model_validate(client.get("/v1/events?limit=1").json())
    assert len(page.events) == 1 and page.has_more
    r.set(keys.situation("homs"), Situation(place_id="homs", name="Homs").model_dump_json())
    r.sadd(keys.SITUATION_INDEX, "homs")
    listed = client.get("/v1/situation").json()
    assert [Situation.model_validate(item).place_id for item in listed] == ["homs"]


def test_a_202_says_where_to_follow_the_report(client: TestClient) -> None:
    from tests.conftest import fixture_reports

    response = client.post("/v1/reports", json=fixture_reports()[0])
    assert response.status_code == 202
    assert response.headers["location"] == response.json()["status_url"] == "/v1/reports/fixture-raqqa-nahda"
    assert client.get(response.headers["location"]).status_code == 200


def test_errors_are_problem_details_with_the_request_path(client: TestClient) -> None:
    missing = client.get("/v1/events/ev-000000000000000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no event 'ev-000000000000000000000000'",
        "instance": "/v1/events/ev-000000000000000000000000",
    }
    bad = client.post("/v1/reports", json={"source": "x"})
    assert bad.status_code == 422 and {e["loc"][-1] for e in bad.json()["errors"]} >= {"text", "published_at"}
    assert "body.text" in bad.json()["detail"]


def test_error_descriptions_name_the_fields_problem_details_have(schema: dict[str, Any]) -> None:
    """A 422 lists its fields in `errors`; `detail` is one sentence, so a description saying `detail[]` misleads."""
    problem_fields = set(schema["components"]["schemas"]["Problem"]["properties"])
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            named = re.findall(r"`(\w+)\[\]", response.get("description", ""))
            assert set(named) <= problem_fields - {"detail"}, (path, method, code, response["description"])
