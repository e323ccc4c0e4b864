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
