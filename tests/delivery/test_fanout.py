"""The SSE fan-out (services/api/alert_fanout.py) in process, against the suite's real Redis.

What must hold whatever the timing: a client gets every alert after its position exactly once, in
log order, whether it comes from its own catch-up reads or from the shared reader, and a client too
slow for its queue is dropped back to the log without losing anything.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio

from core import keys
from core.delivery.filters import AlertFilter
from core.errors import ListenerDropped
from services.api.alert_fanout import AlertFanout, after
from services.api.alert_stream import alert_events
from tests.delivery.conftest import make_alert

EVERYTHING = AlertFilter(place=[], kind=[], category=[])


async def until(condition: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Re-check state that has no event to await (the reader task's progress), or fail."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def log(client: redis.asyncio.Redis, number: int) -> str:
    entry_id: Any = await client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: make_alert(number)})
    return str(entry_id.decode())


async def receive(events: Any, count: int) -> list[tuple[str, int]]:
    """(id, alert number) of the next `count` alert events of an `alert_events` generator."""
    got: list[tuple[str, int]] = []
    async for event in events:
        if event.data is None or event.event == "gap":
            continue  # the opening comment
        number = int(json.loads(event.data)["data"]["summary"].split()[3])
        got.append((event.id, number))
        if len(got) == count:
            return got
    raise AssertionError("the stream ended")


def run(redis_url: str, body: Callable[[redis.asyncio.Redis, AlertFanout], Awaitable[None]], limit: int = 1000) -> None:
    async def main() -> None:
        client = redis.asyncio.Redis.from_url(redis_url)
        fanout = AlertFanout(redis.asyncio.Redis.from_url(redis_url), block_milliseconds=500, queue_limit=limit)
        try:
            await asyncio.wait_for(body(client, fanout), timeout=60)
        finally:
            await fanout.close()
            await client.aclose()

    asyncio.run(main())


def test_clients_joining_while_alerts_flow_each_get_exactly_what_follows_their_position(
    redis_url: str, r: redis.Redis
) -> None:
    """A writer logs alerts at random intervals; clients start at random moments, from the newest entry
    or from an older position, and must each see exactly the entries after it."""
    total = 240

    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        logged: list[str] = []
        rng = random.Random(7)

        async def writer() -> None:
            for number in range(total):
                logged.append(await log(client, number))
                if rng.random() < 0.3:
                    await asyncio.sleep(rng.random() / 500)

        async def reader(start_after: int) -> tuple[int, list[tuple[str, int]]]:
            await until(lambda: len(logged) > start_after, "the writer to pass the start")
            start = logged[start_after]
            events = alert_events(client, fanout, start, EVERYTHING)
            try:
                return start_after, await receive(events, total - 1 - start_after)
            finally:
                await events.aclose()

        starts = sorted(rng.sample(range(total - 20), 8))
        results = await asyncio.gather(writer(), *(reader(start) for start in starts))
        for start_after, got in results[1:]:
            assert [entry_id for entry_id, _ in got] == logged[start_after + 1 :]
            assert [number for _, number in got] == list(range(start_after + 1, total))
        assert fanout.listeners == 0  # every client that left unsubscribed

    run(redis_url, body)


def test_one_reader_serves_every_listener_and_stops_when_the_last_leaves(redis_url: str, r: redis.Redis) -> None:
    def blocked_readers() -> int:
        return sum(1 for client in r.client_list() if "b" in client.get("flags", ""))

    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        listeners = [await fanout.subscribe() for _ in range(25)]
        await until(lambda: blocked_readers() == 1, "the reader to block")
        first = await log(client, 0)
        for listener in listeners:
            entry = await listener.next()
            assert entry.id == first and entry.alert is not None
        assert len({id(listener.queue) for listener in listeners}) == 25
        for listener in listeners:
            fanout.unsubscribe(listener)
        await until(lambda: blocked_readers() == 0, "the reader to stop")  # at its next timeout
        again = await fanout.subscribe()  # a new listener starts a new reader
        await until(lambda: blocked_readers() == 1, "a new reader")
        second = await log(client, 1)
        assert (await again.next()).id == second

    run(redis_url, body)


def test_a_client_that_falls_behind_is_dropped_and_its_stream_loses_nothing(redis_url: str, r: redis.Redis) -> None:
    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        start = await log(client, 0)
        events = alert_events(client, fanout, start, EVERYTHING)
        await anext(events)  # the opening comment
        first = asyncio.ensure_future(anext(events))  # subscribes, catches up (nothing yet), waits
        await until(lambda: fanout.listeners == 1, "the client to subscribe")
        logged = [await log(client, number) for number in range(1, 11)]
        assert (await first).id == logged[0]
        # The client now reads nothing while nine more come: its queue (limit 3) overflows.
        await until(lambda: fanout.listeners == 0, "the slow client to be dropped")
        rest = await receive(events, 9)  # three from its queue, then the log from where it was
        assert [entry_id for entry_id, _ in rest] == logged[1:]
        assert [number for _, number in rest] == list(range(2, 11))
        assert fanout.listeners == 1  # subscribed again
        later = [await log(client, number) for number in (11, 12)]
        assert [entry_id for entry_id, _ in await receive(events, 2)] == later
        await events.aclose()
        assert fanout.listeners == 0

    run(redis_url, body, limit=3)


def test_a_full_queue_ends_with_dropped(redis_url: str, r: redis.Redis) -> None:
    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        listener = await fanout.subscribe()
        logged = [await log(client, number) for number in range(5)]
        await until(lambda: fanout.listeners == 0, "the listener to be dropped")
        assert [(await listener.next()).id for _ in range(2)] == logged[:2]
        try:
            await listener.next()
        except ListenerDropped:
            pass
        else:
            raise AssertionError("a listener past its limit must be told it was dropped")

    run(redis_url, body, limit=2)


def test_a_reader_that_loses_its_connection_is_replaced_and_no_stream_loses_an_alert(
    redis_url: str, r: redis.Redis
) -> None:
    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        start = await log(client, 0)
        events = alert_events(client, fanout, start, EVERYTHING)
        await anext(events)
        first = asyncio.ensure_future(anext(events))
        await until(lambda: any("b" in c.get("flags", "") for c in r.client_list()), "the reader to block")
        (blocked,) = [c for c in r.client_list() if "b" in c.get("flags", "")]
        r.client_kill_filter(_id=blocked["id"])  # the reader's connection drops, as in a network blip
        logged = [await log(client, number) for number in (1, 2)]
        assert (await first).id == logged[0]
        assert [entry_id for entry_id, _ in await receive(events, 1)] == logged[1:]
        await until(lambda: sum("b" in c.get("flags", "") for c in r.client_list()) == 1, "a new reader")
        later = await log(client, 3)
        assert [entry_id for entry_id, _ in await receive(events, 1)] == [later]
        await events.aclose()

    run(redis_url, body)


def test_closing_the_fan_out_ends_the_streams_waiting_on_it(redis_url: str, r: redis.Redis) -> None:
    async def body(client: redis.asyncio.Redis, fanout: AlertFanout) -> None:
        events = alert_events(client, fanout, await log(client, 0), EVERYTHING)
        await anext(events)
        waiting = asyncio.ensure_future(anext(events))
        await until(lambda: fanout.listeners == 1, "the stream to subscribe")
        await fanout.close()
        try:
            await waiting
        except StopAsyncIteration:
            pass
        else:
            raise AssertionError("a stream must end when the fan-out closes")
        late = alert_events(client, fanout, "0-0", EVERYTHING)
        assert [event.comment async for event in late] == ["alerts after 0-0"]  # ends at once too

    run(redis_url, body)


def test_the_position_after_the_last_sequence_of_a_millisecond_is_the_next_millisecond() -> None:
    assert after("5-18446744073709551615") == "6-0"
    assert after("5-7") == "5-8" and after("5") == "5-1"


def test_the_apps_shared_reader_outwaits_its_blocked_read(redis_url: str) -> None:
    """redis-py's default 5 s socket timeout would cut the reader's 5 s XREAD BLOCK every time, ending it
    with a warning and sending every SSE client back to the log."""
    from fastapi.testclient import TestClient

    from core import defaults
    from core.settings import IngestSettings
    from services.api.app import create_app

    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as api:
        fanout: AlertFanout = api.app.state.alert_fanout  # type: ignore[attr-defined]
        timeout = fanout._client.connection_pool.connection_kwargs["socket_timeout"]
        assert timeout > defaults.SSE_BLOCK_MILLISECONDS / 1000
