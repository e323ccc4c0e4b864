"""Done and failed reports are counted by the script that settles them (settle.lua), on the real Redis:
nothing waits in a worker's memory, so a worker killed right after a merge loses no count, and a retry
that finds the reports settled counts them no second time."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from core import metrics
from core.metrics import TALLY
from core.settings import WorkerSettings
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare
from tests.conftest import REPO
from workers.dedup.event_store import EventStore, ReportToMerge
from workers.processing import process_batch


def report(i: int) -> ReportToStore:
    text = f"Militants shelled the market of Tallyville{i} on Monday, residents said."
    return prepare(ReportIn(id=f"tally-{i}", source=f"wire-{i}", published_at="2019-04-01T09:00:00Z", text=text))  # type: ignore[arg-type]


def stored(r: redis.Redis) -> dict[str, int]:
    return {field.decode(): int(value) for field, value in r.hgetall(metrics.REPORTS_PROCESSED.key).items()}


def test_a_merge_counts_its_done_and_failed_reports_in_the_same_script(r: redis.Redis) -> None:
    ReportStore(r).commit([report(1), report(2)])
    TALLY.take()
    process_batch(r, ["tally-1", "tally-2"], WorkerSettings())
    TALLY.take()  # the worker is killed: whatever it still held in memory is gone
    assert stored(r) == {"done": 2}
    process_batch(r, ["tally-1", "tally-2"], WorkerSettings())  # its retry finds them settled
    TALLY.take()
    assert stored(r) == {"done": 2}
    ReportStore(r).commit([report(3), report(4)])
    outcomes = EventStore(r, WorkerSettings()).merge(
        [ReportToMerge("tally-3", error="unreadable"), ReportToMerge("tally-4")], datetime.now(UTC)
    )
    assert [outcome.status for outcome in outcomes] == ["failed", "done"]
    assert stored(r) == {"done": 3, "failed": 1}


def test_reports_of_a_job_failed_for_good_are_counted_once_by_the_script_that_marks_them(r: redis.Redis) -> None:
    ReportStore(r).commit([report(5), report(6), report(7)])
    store = EventStore(r, WorkerSettings())
    TALLY.take()
    assert store.fail_reports(["tally-5", "tally-6"], "job failed for good", datetime.now(UTC)) == 2
    assert store.fail_reports(["tally-5", "tally-6", "tally-7"], "again", datetime.now(UTC)) == 1
    assert stored(r) == {"failed": 3}
    assert not TALLY  # nothing left in the process for a forked work horse to inherit and send again


def test_the_script_spells_the_metric_key_as_core_metrics_does() -> None:
    settle = (REPO / "workers" / "dedup" / "settle.lua").read_text()
    assert f"'{metrics.REPORTS_PROCESSED.key}'" in settle
    assert metrics.REPORTS_PROCESSED.field(("done",)) == "done" and metrics.REPORTS_PROCESSED.labels == ("outcome",)
