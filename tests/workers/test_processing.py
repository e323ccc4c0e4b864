"""Workers against a real Redis: a queued report is processed by an RQ worker, once."""

from __future__ import annotations

import orjson
import redis
from rq import Queue, SimpleWorker

from core import keys
from core.event_reader import read_events
from core.settings import WorkerSettings
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, prepare
from tests.conftest import fixture_reports
from workers.processing import process_batch


def enqueue_fixtures(r: redis.Redis) -> list[str]:
    store = ReportStore(r)
    outcomes = store.commit([prepare(ReportIn.model_validate(item)) for item in fixture_reports()])
    return [outcome.id for outcome in outcomes]


def test_rq_worker_processes_the_batch_and_feeds_the_notifier_stream(r: redis.Redis) -> None:
    ids = enqueue_fixtures(r)
    queue = Queue("sitrep", connection=r)
    assert queue.count == 1
    SimpleWorker([queue], connection=r).work(burst=True)
    assert queue.count == 0
    assert [r.hget(keys.report(i), "status") for i in ids] == [b"done"] * 3
    event_ids = orjson.loads(r.hget(keys.report(ids[0]), "events") or b"[]")
    kinds = {orjson.loads(raw or b"{}")["kind"] for raw in read_events(r, event_ids, 0)}
    assert {"control_change", "civilian_count"} <= kinds
    entries = r.xrange(keys.EVENTS_STREAM)
    assert {entry[b"report_id"].decode() for _, entry in entries} >= {ids[0]}
    assert all(entry[b"source"] for _, entry in entries)
    # Each entry names its event's kind beside the JSON, so the notifier can skip kinds unparsed.
    for _, entry in entries:  # situation kinds carry the event's JSON; every entry names a stored event
        (raw,) = read_events(r, [entry[b"event_id"].decode()], 0)
        stored = orjson.loads(raw or b"{}")
        assert entry[b"kind"].decode() == stored["kind"]
        if b"event" in entry:
            assert stored["kind"] in ("control_change", "control_state", "civilian_count")
            assert orjson.loads(entry[b"event"])["id"] == stored["id"]
    assert any(b"event" not in entry for _, entry in entries)  # the fixture has kinds the notifier ignores


def test_processing_a_batch_twice_changes_nothing(r: redis.Redis) -> None:
    ids = enqueue_fixtures(r)
    first = process_batch(r, ids, WorkerSettings())
    stream_length = r.xlen(keys.EVENTS_STREAM)
    second = process_batch(r, ids, WorkerSettings())
    assert first.processed == 3 and second.processed == 0 and second.skipped == 3
    assert r.xlen(keys.EVENTS_STREAM) == stream_length


def test_a_report_that_cannot_be_read_fails_alone(r: redis.Redis) -> None:
    ids = enqueue_fixtures(r)
    # A report whose stored record is not a valid report: the batch goes on without it.
    r.hset(keys.report(ids[1]), "report", b'{"source": "x"}')
    result = process_batch(r, ids, WorkerSettings())
    assert result.failed == 1 and result.processed == 2
    assert r.hget(keys.report(ids[1]), "status") == b"failed"
    assert b"published_at" in (r.hget(keys.report(ids[1]), "error") or b"")
