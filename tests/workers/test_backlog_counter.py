"""The admission backlog counter and the failed index stay true over settling and failing (real Redis): the
counter never goes below zero, and the failed index forgets reports whose record has expired."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import redis

from core import keys
from core.settings import WorkerSettings
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare
from services.cli.main import main
from workers.dedup.event_store import EventStore
from workers.processing import process_batch


def report(i: int) -> ReportToStore:
    text = f"Insurgents ambushed a convoy near the village of Counter{i} on Tuesday, police said."
    return prepare(ReportIn(id=f"count-{i}", source=f"desk-{i}", published_at="2019-03-05T08:00:00Z", text=text))  # type: ignore[arg-type]


def backlog(r: redis.Redis) -> int:
    return int(r.get(keys.BACKLOG) or 0)


def test_settling_reports_the_counter_never_saw_leaves_it_at_zero_not_below(r: redis.Redis) -> None:
    """Reports queued before the counter existed (an upgrade with a backlog) must not drive it negative: a
    negative counter would hide as many new reports from admission control."""
    ReportStore(r).commit([report(1), report(2)])
    r.set(keys.BACKLOG, 0)  # as if stored by a sitrep without the counter
    process_batch(r, ["count-1", "count-2"], WorkerSettings())
    assert backlog(r) == 0
    ReportStore(r).commit([report(3)])
    assert backlog(r) == 1


def test_failing_reports_the_counter_never_saw_leaves_it_at_zero_not_below(r: redis.Redis) -> None:
    ReportStore(r).commit([report(4), report(5)])
    r.set(keys.BACKLOG, 1)
    failed = EventStore(r, WorkerSettings()).fail_reports(["count-4", "count-5"], "lost", datetime.now(UTC))
    assert failed == 2 and backlog(r) == 0


def test_the_failed_index_forgets_reports_whose_record_expired(r: redis.Redis) -> None:
    """Without this the index grows for ever: its entries outlive the report TTL (30 days by default)."""
    store = EventStore(r, WorkerSettings())
    ReportStore(r).commit([report(6), report(7), report(8)])
    store.fail_reports(["count-6", "count-7"], "lost", datetime(2020, 1, 1, tzinfo=UTC))
    r.delete(keys.report("count-6"), keys.report("count-7"))  # their TTL ran out
    store.fail_reports(["count-8"], "lost", datetime.now(UTC))
    assert r.zrange(keys.FAILED_REPORTS, 0, -1) == [b"count-8"]


def test_a_report_failed_by_the_merge_also_prunes_the_failed_index(r: redis.Redis) -> None:
    ReportStore(r).commit([report(9), report(10)])
    EventStore(r, WorkerSettings()).fail_reports(["count-9"], "lost", datetime(2020, 1, 1, tzinfo=UTC))
    r.delete(keys.report("count-9"))
    r.hset(keys.report("count-10"), "report", "{not json")  # unreadable: failed by the merge script
    result = process_batch(r, ["count-10"], WorkerSettings())
    assert result.failed == 1
    assert r.zrange(keys.FAILED_REPORTS, 0, -1) == [b"count-10"]
    assert backlog(r) == 0


def test_retrying_all_failed_takes_only_what_had_failed_when_it_began(r: redis.Redis) -> None:
    """Reports that fail again while `--all-failed` runs (a fast worker, a persistent extractor bug) must not be
    queued again by the same call: it would never end, churning jobs for as long as the worker keeps up."""
    ReportStore(r).commit([report(i) for i in range(11, 16)])
    store = EventStore(r, WorkerSettings())
    store.fail_reports([f"count-{i}" for i in range(11, 14)], "bug", datetime(2020, 1, 1, tzinfo=UTC))
    later = datetime.fromtimestamp(time.time() + 3600, UTC)  # as if they failed again after the call began
    store.fail_reports(["count-14", "count-15"], "bug", later)
    queued = ReportStore(r, job_max_reports=2).requeue_all_failed()
    assert sorted(queued) == ["count-11", "count-12", "count-13"]
    assert r.zrange(keys.FAILED_REPORTS, 0, -1) == [b"count-14", b"count-15"]
    assert backlog(r) == 3


def test_sitrep_reports_failed_refuses_a_limit_below_one(
    r: redis.Redis, redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--limit 0` listed every failed report (ZREVRANGE 0 -1), `--limit -5` all but five: a one-line error now."""
    ReportStore(r).commit([report(21), report(22)])
    EventStore(r, WorkerSettings()).fail_reports(["count-21", "count-22"], "bug", datetime.now(UTC))
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["reports", "failed", "--limit", "1"]) == 0
    assert capsys.readouterr().out.count("count-2") == 1
    assert main(["reports", "failed", "--limit", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--limit" in captured.err
