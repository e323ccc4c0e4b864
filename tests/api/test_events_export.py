"""GET /v1/events pages and its CSV, GeoJSON and JSON Lines exports, against a real Redis and real merges."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import IngestSettings
from schemas.events import CanonicalEvent
from services.api import event_export, events
from services.api.app import create_app
from tests.dedup.helpers import process

TOWNS_SYRIA = ["Homs", "Aleppo", "Hama", "Palmyra", "Manbij", "Kobani", "Daraa", "Latakia"]
TOWNS_IRAQ = ["Mosul", "Tikrit", "Ramadi", "Fallujah"]


def strike(report_id: str, town: str, day: date, source: str = "Hill desk") -> dict[str, Any]:
    """A report of one air strike on `town`, told on `day` (the strike itself: the Tuesday before)."""
    return {
        "id": report_id,
        "source": source,
        "published_at": f"{day.isoformat()}T09:00:00Z",
        "text": f"Warplanes bombed {town} on Tuesday, residents told our reporter by phone (dispatch {report_id}).",
    }


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


def _strikes(days: int, towns: list[str], prefix: str = "s") -> list[dict[str, Any]]:
    first = date(2017, 10, 14)
    return [
        strike(f"{prefix}-{town.lower()}-{d}", town, first + timedelta(weeks=d)) for d in range(days) for town in towns
    ]


def _pages(client: TestClient, query: str, between: Any = None) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        url = f"/v1/events?{query}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += body["events"]
        cursor = body["next_cursor"]
        if between is not None:
            between()
        if not body["has_more"]:
            return seen


def test_paging_visits_every_event_once_while_new_events_arrive_and_old_ones_change(
    r: redis.Redis, client: TestClient
) -> None:
    process(r, _strikes(3, TOWNS_SYRIA))  # 24 events, one per town and week
    before = {event["id"] for event in client.get("/v1/events?limit=1000").json()["events"]}
    assert len(before) == 24
    arriving = iter(_strikes(1, TOWNS_IRAQ, prefix="late"))
    corroborating = iter(_strikes(3, TOWNS_SYRIA, prefix="echo"))

    def meanwhile() -> None:
        """A new event, and a second outlet's copy of an old one (which changes its last-changed time)."""
        process(r, [next(arriving, None) or next(corroborating)])
        echo = next(corroborating)
        process(r, [{**echo, "source": "Valley radio"}])

    oldest_first = _pages(client, "order=asc&limit=5", meanwhile)
    ids = [event["id"] for event in oldest_first]
    assert len(ids) == len(set(ids)), "an event came twice"
    assert before <= set(ids)
    assert len(set(ids) - before) == 4  # the Iraqi strikes that arrived while paging come at the end
    assert any(event["mention_count"] == 2 for event in client.get("/v1/events?limit=1000").json()["events"])

    newest_first = [event["id"] for event in _pages(client, "limit=7", meanwhile)]
    assert len(newest_first) == len(set(newest_first)) == 28  # those present at the start, once each


def test_filters_by_event_date_country_actor_kind_place_and_coordinates(r: redis.Redis, client: TestClient) -> None:
    process(r, _strikes(2, ["Homs", "Mosul"]))  # events dated 2017-10-10 and 2017-10-17
    process(
        r,
        [
            {
                "id": "tabqa-2015",
                "source": "Archive desk",
                "published_at": "2015-03-02T08:00:00Z",
                "text": "The Syrian Democratic Forces captured Tabqa from the Islamic State on Monday, officials said.",
            },
            {
                "id": "nahda",
                "source": "Field desk",
                "published_at": "2017-10-14T15:00:00Z",
                "text": "The Syrian Democratic Forces captured the al-Nahda neighborhood in western Raqqa on Saturday.",
            },
        ],
    )

    def ids(query: str) -> set[str]:
        return {f"{e['kind']}@{e['place']['id']}:{e['time']['date']}" for e in _pages(client, query)}

    assert len(ids("")) == 6
    # the event's date, not the time it was stored (all were stored just now)
    assert ids("from=2015-01-01&to=2015-12-31") == {"control_change@tabqa:2015-03-02"}
    assert ids("from=2017-10-11") == {
        "air_strike@homs:2017-10-17",
        "air_strike@mosul:2017-10-17",
        "control_change@raqqa/al-nahda:2017-10-14",
    }
    assert ids("to=2017-10-10&kind=air_strike") == {"air_strike@homs:2017-10-10", "air_strike@mosul:2017-10-10"}
    assert ids("country=iraq") == {"air_strike@mosul:2017-10-10", "air_strike@mosul:2017-10-17"}
    assert ids("actor=sdf") == ids("actor=Syrian Democratic Forces") == ids("kind=control_change")
    assert ids("actor=islamic-state") == {"control_change@tabqa:2015-03-02"}  # the previous holder counts too
    assert ids("kind=air_strike,control_change&country=Syria") == ids("country=Syria")
    assert ids("place=raqqa") == {"control_change@raqqa/al-nahda:2017-10-14"}
    assert ids("located=false") == {"control_change@raqqa/al-nahda:2017-10-14"}  # the district has no coordinates
    assert len(ids("located=true")) == 5


def test_a_selective_filter_gives_short_pages_and_still_reaches_every_match(
    r: redis.Redis, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    process(r, _strikes(4, ["Homs", "Hama", "Mosul"]))
    monkeypatch.setattr(events, "PAGE_BUDGET", 3)
    first = client.get("/v1/events?country=Iraq&order=asc&limit=10").json()
    assert len(first["events"]) <= 1 and first["has_more"]  # read 3 events, at most one of them in Iraq
    found = _pages(client, "country=Iraq&order=asc&limit=10")
    assert [event["place"]["id"] for event in found] == ["mosul"] * 4
    assert [event["time"]["date"] for event in found] == sorted(event["time"]["date"] for event in found)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=last-week", "from"),
        ("kind=bombing", "kind"),
        ("from=2017-02-01&to=2017-01-01", "after"),
        ("cursor=not-a-cursor", "cursor"),
        ("limit=0", "limit"),
        ("located=perhaps", "located"),
    ],
)
def test_bad_filters_are_422_problem_details(client: TestClient, query: str, words: str) -> None:
    for path in ("/v1/events", "/v1/events.csv", "/v1/events.geojson"):
        if path != "/v1/events" and query == "limit=0":
            continue
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 422 and problem["title"] and words in json.dumps(problem)


def test_a_cursor_of_one_order_cannot_be_read_in_the_other(r: redis.Redis, client: TestClient) -> None:
    process(r, _strikes(1, ["Homs", "Hama"]))
    cursor = client.get("/v1/events?order=asc&limit=1").json()["next_cursor"]
    assert client.get(f"/v1/events?cursor={cursor}").status_code == 200  # the cursor's order is kept
    assert client.get(f"/v1/events?cursor={cursor}&order=desc").status_code == 422


def test_csv_has_acled_columns_parses_and_neutralises_formulas(r: redis.Redis, client: TestClient) -> None:
    process(
        r,
        [
            strike("plain", "Homs", date(2017, 10, 14)),
            strike("formula", "Mosul", date(2017, 10, 14), source='=HYPERLINK("http://example.test")'),
            {
                "id": "killed",
                "source": "-Clinic",
                "published_at": "2017-10-14T09:00:00Z",
                "text": "Shelling killed at least 7 civilians in Manbij on Tuesday, medics said.",
            },
        ],
    )
    response = client.get("/v1/events.csv?order=asc")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == event_export.COLUMNS
    by_kind = {(row["kind"], row["location"]): row for row in rows}
    homs = by_kind[("air_strike", "Homs")]
    assert homs["event_date"] == "2017-10-10" and homs["time_precision"] == "1" and homs["year"] == "2017"
    assert (homs["event_type"], homs["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
    assert homs["geo_precision"] == "1" and float(homs["latitude"]) == pytest.approx(34.7324)
    assert homs["country"] == "Syria" and homs["mention_count"] == "1" and homs["event_id"].startswith("ev-")
    assert "Warplanes bombed Homs" in homs["notes"]
    mosul = by_kind[("air_strike", "Mosul")]
    assert mosul["source"] == '\'=HYPERLINK("http://example.test")'  # text, not a formula
    count = by_kind[("civilian_count", "Manbij")]
    assert count["fatalities"] == "7" and count["category"] == "killed" and count["event_type"] == ""
    assert count["source"] == "'-Clinic"
    assert all(row["source"][:1] not in "=+-@" for row in rows)


def test_neutralise_leaves_numbers_and_plain_text_alone() -> None:
    assert event_export.neutralise(-33.5) == -33.5
    assert event_export.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert event_export.neutralise("+1 more") == "'+1 more"
    assert event_export.neutralise("Homs") == "Homs"


def test_geojson_is_a_feature_collection_with_unlocated_events_as_null_geometry(
    r: redis.Redis, client: TestClient
) -> None:
    process(r, _strikes(1, ["Homs", "Mosul"]))
    process(
        r,
        [
            {
                "id": "nahda",
                "source": "Field desk",
                "published_at": "2017-10-14T15:00:00Z",
                "text": "The Syrian Democratic Forces captured the al-Nahda neighborhood in western Raqqa on Saturday.",
            }
        ],
    )
    response = client.get("/v1/events.geojson")
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 3
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        assert feature["id"] == feature["properties"]["event_id"]
        geometry = feature["geometry"]
        if geometry is None:
            assert feature["properties"]["place_id"] == "raqqa/al-nahda"
            continue
        lon, lat = geometry["coordinates"]
        assert geometry["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
        assert lat == feature["properties"]["latitude"]
    located = client.get("/v1/events.geojson?located=true").json()
    assert len(located["features"]) == 2 and all(f["geometry"] for f in located["features"])
    assert client.get("/v1/events.geojson?kind=shelling").json() == {"type": "FeatureCollection", "features": []}


def test_jsonl_lines_are_canonical_events_and_limit_and_cursor_apply(r: redis.Redis, client: TestClient) -> None:
    process(r, _strikes(2, TOWNS_SYRIA[:3]))
    lines = client.get("/v1/events.jsonl?order=asc").text.splitlines()
    assert len(lines) == 6
    parsed = [CanonicalEvent.model_validate_json(line) for line in lines]
    page = client.get("/v1/events?order=asc&limit=2").json()
    assert [event.id for event in parsed[:2]] == [event["id"] for event in page["events"]]
    rest = client.get(f"/v1/events.jsonl?cursor={page['next_cursor']}&limit=3").text.splitlines()
    assert [json.loads(line)["id"] for line in rest] == [event.id for event in parsed[2:5]]


async def _events(count: int) -> Any:
    for k in range(count):
        yield {"id": f"ev-{k:024x}", "kind": "attack", "sources": ["x" * 200], "time": {"date": "2017-10-10"}}


async def _collect(chunks: Any) -> list[bytes]:
    return [chunk async for chunk in chunks]


def test_exports_are_written_in_bounded_chunks() -> None:
    import asyncio

    for writer in (event_export.csv_chunks, event_export.geojson_chunks, event_export.jsonl_chunks):
        chunks = asyncio.run(_collect(writer(_events(2000))))
        assert len(chunks) > 10, writer.__name__
        assert max(len(chunk) for chunk in chunks) < 64_000


def test_events_stored_before_creation_numbers_are_numbered_when_the_api_starts(r: redis.Redis, redis_url: str) -> None:
    from core import keys

    process(r, _strikes(2, ["Homs", "Hama"]))
    r.delete(keys.EVENTS_BY_SEQUENCE, keys.EVENTS_SEQUENCE_COUNTER)
    for key in r.scan_iter(match="sitrep:canon:*"):
        if key.count(b":") == 2:
            r.hdel(key, "seq")  # as an older version stored them
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        from tests.helpers import wait_until

        wait_until(lambda: r.zcard(keys.EVENTS_BY_SEQUENCE) == 4, 10, "the old events to be numbered")
        assert len(client.get("/v1/events").json()["events"]) == 4
        process(r, _strikes(3, ["Homs"], prefix="later"))  # one old event touched again, one new
        numbers = sorted(int(score) for _, score in r.zrange(keys.EVENTS_BY_SEQUENCE, 0, -1, withscores=True))
        assert numbers == [1, 2, 3, 4, 5]  # none numbered twice


def test_redis_down_is_a_503_problem_before_any_export_byte() -> None:
    with TestClient(create_app(IngestSettings(redis_url="redis://127.0.0.1:1/0"))) as client:
        for path in ("/v1/events", "/v1/events.csv", "/v1/events.geojson", "/v1/events.jsonl"):
            response = client.get(path)
            assert response.status_code == 503 and response.headers["retry-after"] == "1", path
            assert response.headers["content-type"] == "application/problem+json"


def _encoded(value: Any) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "e30",
        _encoded([1, 2]),
        _encoded({"v": 1, "o": "sideways", "s": 3}),
        _encoded({"v": 1, "o": "asc", "s": -1}),
        _encoded({"v": 1, "o": "asc", "s": True}),
        _encoded({"v": 1, "o": "asc", "s": "3"}),
        _encoded({"v": 2, "o": "asc", "s": 3}),
        _encoded({"v": 1, "o": "asc", "s": 10**30}),
    ],
)
def test_a_cursor_this_api_did_not_make_is_refused(cursor: str) -> None:
    from services.api.event_query import Position

    with pytest.raises(ValueError):
        Position.decode(cursor)


def test_a_cursor_round_trips() -> None:
    from services.api.event_query import Position

    for position in (Position("asc"), Position("desc", 0), Position("asc", 2**53)):
        assert Position.decode(position.encode()) == position


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {
                "kind": "air_strike",
                "acled_sub_event_type": "Air/drone strike",
                "place": {"id": "sy/idlib", "name": "Idlib"},
            },
            ("Explosions/Remote violence", "Air/drone strike", "Idlib", 3, "", ""),
        ),
        (
            {
                "kind": "negotiation",
                "acled_sub_event_type": "Agreement",
                "place": {"id": "ch/geneve/geneva", "name": "Geneva", "parent": "Geneve", "lat": 46.2, "lon": 6.1},
            },
            ("Strategic developments", "Agreement", "Geneve", 1, 46.2, 6.1),
        ),
        (
            {
                "kind": "attack",
                "acled_sub_event_type": "Attack",
                "place": {"id": "homs", "name": "Homs", "lat": 34.7, "lon": 36.7},
            },
            ("", "", "", 1, 34.7, 36.7),  # whom the attack targeted is unknown: no ACLED type claimed
        ),
        ({"kind": "surrender", "place": None}, ("Strategic developments", "Other", "", "", "", "")),
        (
            {"kind": "control_state", "place": {"id": "raqqa/al-nahda", "name": "al-Nahda", "parent": "Raqqa"}},
            ("", "", "", "", "", ""),
        ),
    ],
)
def test_acled_types_and_geography(event: dict[str, Any], expected: tuple[Any, ...]) -> None:
    row = event_export.acled_row(event)
    columns = ("event_type", "sub_event_type", "admin1", "geo_precision", "latitude", "longitude")
    assert tuple(row[column] for column in columns) == expected
