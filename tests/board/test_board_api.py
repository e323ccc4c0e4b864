"""The board's routes without a browser: its files and headers, the map outlines (built from a TopoJSON
topology, absent without npm), and GET /v1/places and /v1/places/{place} on situations the real
extractor, merge and notifier made."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis
from fastapi.testclient import TestClient

from core import keys
from core.settings import IngestSettings, NotifierSettings
from schemas.places import PlaceHistory, PlaceSummary
from schemas.situation import ControlState, Situation
from services.api import places
from services.api.app import create_app
from services.api.board import Outlines
from services.board import outlines
from services.notifier.consumer import Notifier
from tests.dedup.helpers import process

# Two arcs of a square split along its diagonal; quantized (deltas) with a transform, as world-atlas ships them.
TOPOLOGY: dict[str, Any] = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10.0, 20.0]},
    "arcs": [
        [[0, 0], [2, 0], [0, 4]],  # (10,20) → (11,20) → (11,21)
        [[0, 0], [0, 4], [2, 0]],  # (10,20) → (10,21) → (11,21)
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, ~1]], "id": "760", "properties": {"name": "Squareland"}},
                {"type": None, "id": "999", "properties": {"name": "Too small"}},
            ],
        }
    },
}


def test_a_topology_becomes_closed_polygons_of_degrees() -> None:
    collection = outlines.to_geojson(TOPOLOGY)
    assert [feature["properties"]["name"] for feature in collection["features"]] == ["Squareland"]
    geometry = collection["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    # Arc 0 forwards, then arc 1 backwards without repeating the point they share.
    assert geometry["coordinates"] == [[[[10.0, 20.0], [11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0]]]]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_without_npm_there_are_no_outlines_and_no_file(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(cache / "empty"))
    assert outlines.build_outlines() is None
    assert not outlines.outlines_path().exists()


@pytest.fixture
def client(r: redis.Redis, redis_url: str, cache: Path) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url, map_outlines=False))) as test_client:
        yield test_client


def test_the_outlines_route_says_404_until_the_file_exists_then_serves_it_cached(client: TestClient) -> None:
    missing = client.get("/v1/map/outlines")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert "world-atlas" in missing.json()["detail"]
    collection = outlines.to_geojson(TOPOLOGY) | {"source": "Natural Earth (test topology)"}
    outlines.outlines_path().write_bytes(orjson.dumps(collection))
    served = client.get("/v1/map/outlines")
    assert served.status_code == 200 and served.headers["content-type"] == "application/geo+json"
    assert Outlines.model_validate(served.json()).features[0].properties == {"name": "Squareland"}
    assert served.headers["x-content-type-options"] == "nosniff"
    again = client.get("/v1/map/outlines", headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_page_and_its_files_carry_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert page.headers["x-content-type-options"] == "nosniff"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all('src="/board/' in attributes and body == "" for attributes, body in scripts)
    assert not re.search(r"<[^>]*\s(on\w+|style)\s*=", page.text, re.I)  # no inline handlers or styles
    script = client.get("/board/board.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "innerHTML" not in script.text and "eval(" not in script.text and "insertAdjacentHTML" not in script.text
    assert client.get("/board/board.css").headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/board/app.py").status_code == 404


REPORTS = [
    {
        "id": "nahda",
        "source": "Field desk",
        "url": "https://example.org/nahda",
        "published_at": "2017-10-14T15:00:00Z",
        "text": "The Syrian Democratic Forces captured the al-Nahda neighborhood in western Raqqa from the Islamic "
        "State group on Saturday, SDF spokesman Mustafa Bali said. Aid groups say an estimated 4,000 civilians "
        "remain trapped inside the city.",
    },
    {
        "id": "palmyra",
        "source": "Wire desk",
        "published_at": "2017-10-20T10:00:00Z",
        "text": "Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday, "
        "the army said in a statement.",
    },
]


@pytest.fixture
def situations(r: redis.Redis, redis_url: str, tmp_path: Path) -> None:
    """The reports through the real extractor and merge, then a notifier that handles every stream entry."""
    process(r, REPORTS)
    rules = tmp_path / "rules.yaml"
    rules.write_text("group_wait_seconds: 0\nrepeat_interval_seconds: 0\nrules: []\n")
    notifier = Notifier(redis.Redis.from_url(redis_url), NotifierSettings(redis_url=redis_url, rules_file=str(rules)))
    try:
        notifier.ensure_group()
        assert notifier.hold_lease()
        while notifier.step(block_milliseconds=None):
            pass
    finally:
        notifier.connection.close()


def _places(client: TestClient, query: str = "") -> list[str]:
    answer = client.get("/v1/places" + query)
    assert answer.status_code == 200, answer.text
    return [PlaceSummary.model_validate(item).place_id for item in answer.json()]


def test_places_have_points_holders_and_counts_and_take_the_event_filters(client: TestClient, situations: None) -> None:
    rows = {row["place_id"]: row for row in client.get("/v1/places").json()}
    assert sorted(rows) == ["palmyra", "raqqa", "raqqa/al-nahda"]
    raqqa, nahda, palmyra = rows["raqqa"], rows["raqqa/al-nahda"], rows["palmyra"]
    assert raqqa["located"] == "place" and raqqa["lat"] == pytest.approx(35.95, abs=0.1)
    assert (nahda["located"], nahda["lat"], nahda["lon"]) == ("parent", raqqa["lat"], raqqa["lon"])
    assert nahda["controller"] == "sdf" and nahda["sources"] == ["Field desk"] and nahda["kinds"] == ["control_change"]
    assert raqqa["counts"][0]["category"] == "trapped" and raqqa["counts"][0]["min"] == 4000
    assert palmyra["controller_name"] == "Syrian government forces" and palmyra["since"].startswith("2017-10-20")
    assert _places(client, "?actor=sdf") == ["raqqa/al-nahda"]
    assert _places(client, "?actor=islamic-state") == ["palmyra", "raqqa/al-nahda"]  # the holder they lost it to
    assert _places(client, "?kind=civilian_count") == ["raqqa"]
    assert _places(client, "?from=2017-10-15") == ["palmyra"]
    assert _places(client, "?to=2017-10-15&country=syria") == ["raqqa", "raqqa/al-nahda"]
    assert _places(client, "?country=Iraq") == []
    assert _places(client, "?place=raqqa") == ["raqqa", "raqqa/al-nahda"]
    bad = client.get("/v1/places?kind=rumour")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_a_place_history_gives_each_step_its_sentence_outlets_and_reports(client: TestClient, situations: None) -> None:
    answer = client.get("/v1/places/raqqa/al-nahda")
    assert answer.status_code == 200, answer.text
    history = PlaceHistory.model_validate(answer.json())
    assert history.place.place_id == "raqqa/al-nahda" and history.place.located == "parent"
    (entry,) = history.entries
    assert (entry.kind, entry.role, entry.controller, entry.previous) == (
        "control_change",
        "control",
        "sdf",
        "islamic-state",
    )
    assert entry.sentence.startswith("The Syrian Democratic Forces captured the al-Nahda neighborhood")
    assert entry.sources == ["Field desk"]
    (report,) = entry.reports
    assert (report.report_id, report.status_url, report.url) == (
        "nahda",
        "/v1/reports/nahda",
        "https://example.org/nahda",
    )
    count = client.get("/v1/places/raqqa").json()["entries"]
    assert [(e["kind"], e["role"], e["category"], e["count_min"]) for e in count] == [
        ("civilian_count", "count", "trapped", 4000)
    ]
    missing = client.get("/v1/places/nowhere")
    assert missing.status_code == 404 and missing.json()["detail"] == "no situation for 'nowhere'"


def _calls(r: redis.Redis, command: str) -> int:
    stats: dict[str, Any] = r.info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


def test_an_unchanged_place_list_answers_304_without_reading_the_situations(
    client: TestClient, situations: None, r: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    first = client.get("/v1/places")
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"
    reads = _calls(r, "mget"), _calls(r, "smembers")
    again = client.get("/v1/places", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert (_calls(r, "mget"), _calls(r, "smembers")) == reads  # one GET of the version, nothing else
    other_query = client.get("/v1/places?kind=civilian_count", headers={"If-None-Match": tag})
    assert other_query.status_code == 200 and other_query.headers["etag"] != tag  # the tag names the query too
    # A new situation (the notifier's transaction sets a new version): the same tag now gets the new list.
    process(
        r,
        [
            {
                **REPORTS[1],
                "id": "azaz",
                "text": "Turkish-backed rebels took control of the town of Azaz "
                "from the Syrian Democratic Forces on Tuesday, a monitor said.",
            }
        ],
    )
    rules = tmp_path / "rules2.yaml"
    rules.write_text("group_wait_seconds: 0\nrepeat_interval_seconds: 0\nrules: []\n")
    notifier = Notifier(redis.Redis.from_url(redis_url), NotifierSettings(redis_url=redis_url, rules_file=str(rules)))
    try:
        assert notifier.hold_lease()
        while notifier.step(block_milliseconds=None):
            pass
    finally:
        notifier.connection.close()
    changed = client.get("/v1/places", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "azaz" in [row["place_id"] for row in changed.json()]


def test_places_come_in_bounded_pages_linked_by_a_cursor(client: TestClient, situations: None) -> None:
    first = client.get("/v1/places?limit=2")
    assert [row["place_id"] for row in first.json()] == ["palmyra", "raqqa"]
    link = first.headers["link"]
    assert link.endswith('; rel="next"') and "cursor=raqqa" in link and "limit=2" in link
    following = client.get(link[1 : link.index(">")])
    assert [row["place_id"] for row in following.json()] == ["raqqa/al-nahda"]
    assert following.json()[0]["located"] == "parent"  # its town's point, though the town is on another page
    assert "link" not in following.headers
    assert client.get("/v1/places?limit=0").status_code == 422
    too_many = client.get(f"/v1/places?limit={places.PAGE_MAX + 1}")
    assert too_many.status_code == 422 and too_many.headers["content-type"] == "application/problem+json"


def test_one_place_and_those_inside_it_are_read_alone(client: TestClient, situations: None, r: redis.Redis) -> None:
    assert _places(client, "?place=raqqa/al-nahda") == ["raqqa/al-nahda"]
    assert _places(client, "?place=raqqa") == ["raqqa", "raqqa/al-nahda"]
    assert _places(client, "?place=raqq") == []  # a prefix of a name is not a place
    assert places._candidates(["a", "a/b", "a/b/c", "a0", "a-b", "b"], ("a",), None) == ["a", "a/b", "a/b/c"]
    assert places._candidates(["a", "a/b", "a/b/c", "b"], ("a",), "a/b") == ["a/b/c"]


def test_a_place_whose_events_expired_does_not_change_the_etag(client: TestClient, r: redis.Redis) -> None:
    """Its point is looked for again at each ask (the event may come back), but finding nothing changes nothing."""
    control = ControlState(controller="sdf", controller_name="SDF", events=["no-such-event"], sources=["desk"])
    r.set(keys.situation("ghost"), Situation(place_id="ghost", name="Ghost", control=control).model_dump_json())
    r.sadd(keys.SITUATION_INDEX, "ghost")
    r.set(keys.SITUATION_VERSION, "test-1")
    first = client.get("/v1/places")
    assert [row["located"] for row in first.json()] == [None]
    assert client.get("/v1/places", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
