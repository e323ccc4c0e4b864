"""`GET /v1/alerts/stream` against a real API process and the suite's Redis: resume, filters, liveness."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import redis

from core import keys
from services.cli.subscribe import read_sse
from tests.delivery.conftest import log_alert, make_alert
from tests.helpers import wait_until

TIMEOUT = httpx.Timeout(10, read=10)


@contextmanager
def open_stream(
    api_url: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Iterator[tuple[httpx.Response, Iterator[str]]]:
    with httpx.Client(timeout=TIMEOUT) as client:
        with client.stream("GET", f"{api_url}/v1/alerts/stream", params=params, headers=headers) as response:
            yield response, response.iter_lines()


def next_events(lines: Iterator[str], count: int) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    for event, event_id, data in read_sse(lines):
        assert event == "message" and event_id is not None
        events.append((event_id, json.loads(data)))
        if len(events) == count:
            break
    return events


def test_resume_with_last_event_id_loses_and_repeats_nothing(api_url: str, r: redis.Redis) -> None:
    logged = [log_alert(r, make_alert(n)) for n in range(3)]
    with open_stream(api_url, {"since": "0"}) as (response, lines):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        first = next_events(lines, 3)
        logged.append(log_alert(r, make_alert(3)))  # arrives while connected
        first += next_events(lines, 1)
    logged += [log_alert(r, make_alert(n)) for n in (4, 5)]  # while nobody listens
    last_seen = first[-1][0]
    # A browser reconnects to the same URL (still ?since=0) and adds the header: the header wins.
    with open_stream(api_url, {"since": "0"}, {"Last-Event-ID": last_seen}) as (_, lines):
        second = next_events(lines, 2)
        logged.append(log_alert(r, make_alert(6)))
        second += next_events(lines, 1)
    received = [event_id for event_id, _ in first + second]
    assert received == logged
    assert [alert["data"]["summary"] for _, alert in first + second] == [
        f"Test alert number {n} about raqqa" for n in range(7)
    ]
    entries: Any = r.xrange(keys.ALERTS_STREAM)
    assert json.loads(entries[0][1][b"alert"]) == first[0][1]  # the body is the logged JSON, untouched


def test_without_a_position_the_stream_starts_at_the_newest_alert(api_url: str, r: redis.Redis) -> None:
    log_alert(r, make_alert(0))
    with open_stream(api_url) as (_, lines):
        assert next(lines).startswith(": alerts after ")  # the position is fixed: nothing after it is missed
        new = log_alert(r, make_alert(1))
        ((event_id, alert),) = next_events(lines, 1)
    assert event_id == new and alert["data"]["summary"] == "Test alert number 1 about raqqa"


def test_filters_by_place_with_children_kind_and_category(api_url: str, r: redis.Redis) -> None:
    log_alert(r, make_alert(0, place="raqqa/al-nahda"))
    log_alert(r, make_alert(1, place="raqqa", kind="civilian_threshold", category="trapped"))
    log_alert(r, make_alert(2, place="palmyra"))
    log_alert(r, make_alert(3, place="raqqa", kind="civilian_threshold", category="killed"))
    log_alert(r, make_alert(4, place="raqqa/al-nahda", kind="superseded"))
    sentinel = log_alert(r, make_alert(5, place="raqqa/al-nahda", kind="civilian_threshold", category="trapped"))

    def summaries(params: dict[str, Any], count: int) -> list[str]:
        with open_stream(api_url, {"since": "0", **params}) as (response, lines):
            assert response.status_code == 200, response.read()
            events = next_events(lines, count)
        assert events[-1][0] == sentinel  # nothing after the last match, and the sentinel ends it
        return [alert["data"]["summary"].split(" about ")[0][-1] for _, alert in events]

    assert summaries({"place": "raqqa"}, 5) == ["0", "1", "3", "4", "5"]
    assert summaries({"place": "raqqa/al-nahda", "kind": ["control_changed", "civilian_threshold"]}, 2) == ["0", "5"]
    assert summaries({"category": "trapped"}, 2) == ["1", "5"]
    assert summaries({"type": "sitrep.alert.civilian_threshold", "place": ["palmyra", "raqqa"]}, 3) == ["1", "3", "5"]


def test_bad_positions_and_filters_are_422(api_url: str, r: redis.Redis) -> None:
    with httpx.Client(base_url=api_url, timeout=TIMEOUT) as client:
        bad_header = client.get("/v1/alerts/stream", headers={"Last-Event-ID": "yesterday"})
        bad_since = client.get("/v1/alerts/stream", params={"since": "1-2-3"})
        bad_kind = client.get("/v1/alerts/stream", params={"kind": "control"})
    assert bad_header.status_code == 422 and "Last-Event-ID" in bad_header.json()["detail"]
    assert bad_since.status_code == 422 and "since" in bad_since.json()["detail"]
    assert bad_kind.status_code == 422 and "unknown alert kind" in bad_kind.json()["detail"]


def blocked_readers(r: redis.Redis) -> int:
    """Connections blocked in a command (XREAD here): CLIENT LIST flags them `b`."""
    return sum(1 for client in r.client_list() if "b" in client.get("flags", ""))


def test_many_streams_share_one_blocked_read_and_each_gets_every_alert(api_url: str, r: redis.Redis) -> None:
    """More streams than the API's Redis pool has connections (100): one blocked read serves them all.
    With a read per stream, the 101st stream (and every other route) got "Too many connections"."""
    streams = 120

    async def main() -> list[list[str]]:
        async with httpx.AsyncClient(timeout=TIMEOUT, limits=httpx.Limits(max_connections=streams + 5)) as client:

            async def listen(opened: asyncio.Event) -> list[str]:
                async with client.stream("GET", f"{api_url}/v1/alerts/stream") as response:
                    lines = response.aiter_lines()
                    assert (await anext(lines)).startswith(": alerts after ")
                    opened.set()
                    received: list[str] = []
                    async for line in lines:
                        if line.startswith("id: "):
                            received.append(line.removeprefix("id: "))
                            if len(received) == 3:
                                return received
                    raise AssertionError("the stream ended")

            opened = [asyncio.Event() for _ in range(streams)]
            tasks = [asyncio.create_task(listen(event)) for event in opened]
            await asyncio.gather(*(event.wait() for event in opened))
            # One blocked XREAD for all of them (one per stream before the fan-out); a stream that has not
            # subscribed yet when the alerts come reads them from the log itself.
            await asyncio.to_thread(wait_until, lambda: blocked_readers(r) == 1, 20.0, "one blocked XREAD")
            logged.extend(await asyncio.to_thread(lambda: [log_alert(r, make_alert(n)) for n in range(3)]))
            return list(await asyncio.gather(*tasks))

    logged: list[str] = []
    results = asyncio.run(main())
    assert results == [logged] * streams
    wait_until(lambda: blocked_readers(r) == 0, timeout_seconds=15, what="the shared reader to stop")


def test_heartbeats_keep_an_idle_stream_alive_and_a_client_that_leaves_frees_its_reader(
    api_url: str, r: redis.Redis
) -> None:
    with open_stream(api_url) as (_, lines):
        comments = []
        for line in lines:
            if line.startswith(":"):
                comments.append(line)
            if any("ping" in comment for comment in comments):
                break
        wait_until(lambda: blocked_readers(r) == 1, what="the stream's XREAD to block")
    wait_until(lambda: blocked_readers(r) == 0, timeout_seconds=15, what="the server to drop the reader")


def test_a_position_trimmed_away_is_reported_as_a_gap_before_the_rest(api_url: str, r: redis.Redis) -> None:
    logged = [log_alert(r, make_alert(n)) for n in range(5)]
    r.xtrim(keys.ALERTS_STREAM, maxlen=2, approximate=False)  # alerts 0..2 are gone
    with open_stream(api_url, headers={"Last-Event-ID": logged[0]}) as (_, lines):
        events = []
        for event in read_sse(lines):
            events.append(event)
            if len(events) == 3:
                break
    (kind, no_id, data), *rest = events
    gap = json.loads(data)
    assert kind == "gap" and no_id is None and gap["after"] == logged[0] and gap["oldest"] == logged[3]
    if gap["certain"]:  # Redis 7 knows what it deleted
        assert gap["trimmed_through"] == logged[2]
    assert [(kind, event_id) for kind, event_id, _ in rest] == [("message", logged[3]), ("message", logged[4])]
    with open_stream(api_url, headers={"Last-Event-ID": logged[3]}) as (_, lines):
        assert next_events(lines, 1)[0][0] == logged[4]  # a position still in the log: no gap event


def test_a_stream_ends_once_its_key_is_revoked_or_the_open_api_gets_its_first_key(api_url: str, r: redis.Redis) -> None:
    """A stream lasts for hours: the guard's check at connect time is not enough. No alert logged after
    the revocation (or, for a stream let in open, after the first key) reaches the client."""
    from core import api_keys

    log_alert(r, make_alert(0))
    reader = api_keys.create(r, api_keys.ApiKeyIn(name="board", scopes=["read"]))
    with open_stream(api_url, {"since": "0", "access_token": reader.key}) as (response, lines):
        assert response.status_code == 200
        assert len(next_events(lines, 1)) == 1
        api_keys.revoke(r, reader.id)
        time.sleep(1.2)  # other API processes may remember a key for API_KEY_CACHE_SECONDS
        log_alert(r, make_alert(1))
        assert next_events(lines, 1) == []  # the stream ended instead

    r.flushdb()
    log_alert(r, make_alert(2))
    time.sleep(1.2)  # past the API's memory of "some key exists"
    with open_stream(api_url, {"since": "0"}) as (response, lines):
        assert response.status_code == 200  # open: no key exists
        assert len(next_events(lines, 1)) == 1
        api_keys.create(r, api_keys.ApiKeyIn(name="ops", scopes=["admin"]))
        time.sleep(1.2)
        log_alert(r, make_alert(3))
        assert next_events(lines, 1) == []
