"""Stream trimming against a real Redis: the length and age rules never remove an entry a consumer group
has not read and acknowledged; the workers' and the notifier's writes obey that, and /metrics shows the lag."""

from __future__ import annotations

import redis
from fastapi.testclient import TestClient

import workers.processing
from core import keys
from core.settings import IngestSettings, NotifierSettings, WorkerSettings
from core.streams import StreamTrimmer
from schemas.reports import ReportIn
from services.api.app import create_app
from services.api.report_store import ReportStore, prepare
from services.notifier.consumer import Notifier
from tests.conftest import fixture_reports
from workers.processing import process_batch

STREAM = keys.EVENTS_STREAM


def ids(r: redis.Redis) -> list[bytes]:
    return [entry_id for entry_id, _ in r.xrange(STREAM)]


def test_the_length_rule_stops_at_what_a_group_has_not_read_or_acknowledged(r: redis.Redis) -> None:
    written = [r.xadd(STREAM, {"n": n}) for n in range(50)]
    r.xgroup_create(STREAM, "slow", id="0")
    r.xgroup_create(STREAM, "fast", id="$")  # has read everything
    trimmer = StreamTrimmer(r, STREAM, maxlen=10)
    assert trimmer.trim().held and ids(r) == written  # "slow" has read nothing: nothing goes

    read = r.xreadgroup("slow", "c", {STREAM: ">"}, count=20)[0][1]  # type: ignore[index]
    assert trimmer.trim().removed == 0  # read, but 20 entries are still pending
    r.xack(STREAM, "slow", *[entry_id for entry_id, _ in read[:15]])
    result = trimmer.trim()
    assert result.removed == 15 and result.held and ids(r) == written[15:]  # up to its oldest pending entry

    r.xack(STREAM, "slow", *[entry_id for entry_id, _ in read])
    r.xreadgroup("slow", "c", {STREAM: ">"})
    r.xack(STREAM, "slow", *written)
    result = trimmer.trim()
    assert not result.held and ids(r) == written[-10:]  # all read: the length rule alone

    r.xgroup_destroy(STREAM, "slow")
    r.xgroup_destroy(STREAM, "fast")
    more = [r.xadd(STREAM, {"n": n}) for n in range(30)]
    assert trimmer.trim().removed == 30 and ids(r) == more[-10:]  # no group: nothing to wait for


def test_the_age_rule_also_stops_at_a_group(r: redis.Redis) -> None:
    old = [r.xadd(STREAM, {"n": n}, id=f"{1000 + n}-0") for n in range(5)]
    r.xgroup_create(STREAM, "g", id=old[1])  # has read the first two only
    fresh = r.xadd(STREAM, {"n": 9})
    trimmer = StreamTrimmer(r, STREAM, maxlen=0, max_age_seconds=3600)
    assert trimmer.trim().removed == 1 and ids(r) == [*old[1:], fresh]  # keeps the group's last-delivered
    r.xreadgroup("g", "c", {STREAM: ">"})
    r.xack(STREAM, "g", *old, fresh)
    assert ids(r) != [fresh]
    trimmer.trim()
    assert ids(r) == [fresh]


def test_workers_never_trim_events_the_notifier_has_not_read(r: redis.Redis, redis_url: str) -> None:
    notifier = Notifier(redis.Redis.from_url(redis_url), NotifierSettings(redis_url=redis_url, group_wait_seconds=0))
    notifier.ensure_group()
    settings = WorkerSettings(redis_url=redis_url, events_stream_maxlen=1)
    reports = [prepare(ReportIn.model_validate(item)) for item in fixture_reports()]
    ReportStore(r).commit(reports)
    workers.processing._trimmer.clear()
    process_batch(r, [p.id for p in reports], settings)  # appends the events, then trims (once a second)
    written = r.xlen(STREAM)
    assert written > 1

    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        metrics = client.get("/metrics").text
    name = 'sitrep_stream_group_oldest_unread_seconds{group="notifier",stream="sitrep:events"} '
    (age,) = [float(line.removeprefix(name)) for line in metrics.splitlines() if line.startswith(name)]
    assert age > 0  # the notifier has read none of them yet

    notifier.drain()
    assert r.xlen(STREAM) == written  # nothing was dropped before the notifier read it
    StreamTrimmer(r, STREAM, maxlen=1).trim()
    assert r.xlen(STREAM) == 1


def test_a_held_trim_does_not_read_the_entries_it_cannot_remove(r: redis.Redis) -> None:
    """A group that lags holds the stream far over its length; every trim (one a second per worker) then must
    not read the whole excess inside the script: that blocked Redis ~300 ms a call on this machine."""
    fill = "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'event', ARGV[2]) end"
    r.eval(fill, 1, STREAM, 100_000, "x" * 1000)
    r.xgroup_create(STREAM, "lagging", id="0")
    trimmer = StreamTrimmer(r, STREAM, maxlen=1000)
    threshold = r.config_get("slowlog-log-slower-than")["slowlog-log-slower-than"]
    r.config_set("slowlog-log-slower-than", 0)
    try:
        r.slowlog_reset()
        assert trimmer.trim().held
        durations = [entry["duration"] for entry in r.slowlog_get(100) if b"EVALSHA" in entry["command"]]
    finally:
        r.config_set("slowlog-log-slower-than", threshold)
        r.delete(STREAM)
    assert durations and max(durations) < 10_000  # µs; reading the 99,000 held entries took 100+ ms


def test_a_stream_far_over_its_length_comes_back_in_bounded_steps(r: redis.Redis) -> None:
    """One call removes at most TRIM_LOOK_AHEAD entries (the script reads them), so no call blocks Redis long."""
    r.eval("for i = 1, 25000 do redis.call('XADD', KEYS[1], '*', 'n', i) end", 1, STREAM)
    trimmer = StreamTrimmer(r, STREAM, maxlen=1000)
    try:
        assert trimmer.trim().removed == 10_000
        assert trimmer.trim().removed == 10_000
        assert trimmer.trim().removed == 4000 and r.xlen(STREAM) == 1000
    finally:
        r.delete(STREAM)
