"""GET /v1/events/{id} shows a canonical event with its mentions; GET /v1/reports/{id} its contributions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import IngestSettings
from schemas.events import CanonicalEvent
from services.api.app import create_app
from tests.dedup.helpers import one, process
from tests.dedup.test_merge import MONITOR, SYNDICATED, WIRE


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url, event_max_mentions_shown=1))) as test_client:
        yield test_client


def test_an_event_lists_every_mention_where_lists_show_the_earliest_few(r: redis.Redis, client: TestClient) -> None:
    process(r, [WIRE, SYNDICATED, MONITOR])
    stored = one(r, "control_change", "tabqa")
    (listed,) = [
        event for event in client.get("/v1/events?kind=control_change").json()["events"] if event["id"] == stored.id
    ]
    assert len(listed["mentions"]) == 1 and listed["mention_count"] == 3  # SITREP_EVENT_MAX_MENTIONS_SHOWN=1
    body = client.get(f"/v1/events/{stored.id}").json()
    assert {**body, "mentions": listed["mentions"]} == listed  # one renderer for lists and single events
    event = CanonicalEvent.model_validate(body)
    assert [m.report_id for m in event.mentions] == ["wire-1", "mirror-1", "monitor-1"]  # by publication time
    assert event.independent_sources == 2 and event.sources == ["Levant Monitor", "Valley Herald", "Wire desk"]
    assert len(client.get(f"/v1/events/{stored.id}?mentions=2").json()["mentions"]) == 2
    assert client.get(f"/v1/events/{stored.id}?mentions=0").json()["mentions"] == []  # not "0 to -1": all
    assert client.get("/v1/events/ev-nothing").status_code == 404
    assert client.get(f"/v1/events/{stored.id}:mentions").status_code == 404  # a key of it, not an event
    assert client.get(f"/v1/events/{stored.id}?mentions=-1").status_code == 422


def test_a_report_shows_its_story_and_contributions_and_a_copy_says_whose_copy_it_is(
    r: redis.Redis, client: TestClient
) -> None:
    process(r, [WIRE, SYNDICATED])
    original = client.get("/v1/reports/wire-1").json()
    copy = client.get("/v1/reports/mirror-1").json()
    assert original["story"] == "wire-1" and original["near_duplicate_of"] is None
    assert copy["story"] == "wire-1" and copy["near_duplicate_of"] == "wire-1"
    (created,) = original["contributions"]
    (mention,) = copy["contributions"]
    assert created["change"] == "created" and mention["change"] == "mention"
    assert created["event_id"] == mention["event_id"] == copy["events"][0]["id"]
    assert copy["events"][0]["mention_count"] == 2
