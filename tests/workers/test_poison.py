"""Poison and stuck work, against a real Redis and RQ worker: a report past its time budget fails alone, RQ's
job timeout is never swallowed, a job that fails for good leaves its reports `failed` (not `processing`),
and those are listed and queued again."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry
from rq.timeouts import JobTimeoutException, UnixSignalDeathPenalty

import workers.jobs
from core import keys
from core.settings import IngestSettings, WorkerSettings
from schemas.reports import ReportIn
from services.api.app import create_app
from services.api.report_store import ReportStore, ReportToStore, prepare
from tests.helpers import kill_group, start, wait_until
from workers.processing import BUDGET_EXCEEDED, prepare_report, process_batch


def long_report(tag: str) -> ReportToStore:
    """About 2000 candidate sentences: most of a second of extraction (the extractor's cap on sentences)."""
    text = " ".join(
        f"Rebels said they captured the hamlet of Kafr {tag}{i} after clashes, and {i + 10} civilians were "
        "trapped near Aleppo."
        for i in range(2100)
    )
    return prepare(ReportIn(id=f"long-{tag}", source="slow-desk", published_at="2017-10-14T12:00:00Z", text=text))  # type: ignore[arg-type]


def short_report(i: int) -> ReportToStore:
    text = f"Government forces retook the town of Short{i} from the rebels on Friday, a monitor said."
    return prepare(ReportIn(id=f"short-{i}", source=f"desk-{i}", published_at="2017-10-14T12:00:00Z", text=text))  # type: ignore[arg-type]


def status(r: redis.Redis, report_id: str) -> str:
    return (r.hget(keys.report(report_id), "status") or b"").decode()


@pytest.fixture
def worker_settings(redis_url: str) -> Iterator[WorkerSettings]:
    settings = WorkerSettings(redis_url=redis_url, job_linger_seconds=0)
    workers.jobs.use_settings(settings)
    yield settings
    workers.jobs._configured = None


def test_a_report_past_its_budget_fails_alone_and_the_batch_goes_on(r: redis.Redis) -> None:
    batch = [short_report(1), long_report("a"), short_report(2)]
    ReportStore(r).commit(batch)
    result = process_batch(r, [p.id for p in batch], WorkerSettings(extraction_budget_seconds=0.25))
    assert [status(r, p.id) for p in batch] == ["done", "failed", "done"]
    error = (r.hget(keys.report("long-a"), "error") or b"").decode()
    assert error.startswith(BUDGET_EXCEEDED)
    assert result.failed == 1 and result.processed == 2
    assert r.zrange(keys.FAILED_REPORTS, 0, -1) == [b"long-a"]
    assert int(r.get(keys.BACKLOG) or 0) == 0  # three in, three settled


def test_rqs_job_timeout_is_not_swallowed_by_the_extractor() -> None:
    """The alarm RQ sets for a job's timeout fires inside the extractor: it must reach RQ, not become a failed report."""
    report = long_report("t")
    with pytest.raises(JobTimeoutException), UnixSignalDeathPenalty(1, JobTimeoutException):
        for _ in range(5):  # ~0.7 s each: the alarm fires in one of them
            prepare_report(report.id, report.payload)


def burst_worker(env: dict[str, str], budget_seconds: float) -> None:
    """A real `sitrep worker --burst` (its own process: RQ's alarm is the only SIGALRM in it)."""
    worker = start(["worker", "--burst"], {**env, "SITREP_EXTRACTION_BUDGET_SECONDS": str(budget_seconds)})
    try:
        worker.wait(timeout=100)
    finally:
        kill_group(worker)


def test_a_job_that_fails_for_good_leaves_its_reports_failed_then_retry_brings_them_back(
    r: redis.Redis, redis_url: str, child_env: dict[str, str]
) -> None:
    store = ReportStore(r, job_timeout_seconds=1)
    batch = [long_report("x"), long_report("y"), long_report("z"), short_report(3), short_report(4)]
    store.commit(batch)
    queue = Queue("sitrep", connection=r)
    (job_id,) = queue.job_ids
    r.hset(f"rq:job:{job_id}", "retries_left", 0)  # its last attempt (the retries' waits are minutes)
    burst_worker(child_env, 0)  # no budget: RQ's job timeout (1 s) fires inside the extractor
    assert FailedJobRegistry(queue=queue).get_job_ids() == [job_id]
    # Not swallowed: the job stopped at its timeout, and not a report is left `processing` or `queued`.
    assert [status(r, p.id) for p in batch] == ["failed"] * 5
    error = (r.hget(keys.report("short-3"), "error") or b"").decode()
    assert f"job {job_id} failed for good: JobTimeoutException" in error
    assert int(r.get(keys.BACKLOG) or 0) == 0

    settings = IngestSettings(redis_url=redis_url)
    with TestClient(create_app(settings)) as client:
        page = client.get("/v1/reports", params={"status": "failed", "limit": 2}).json()
        assert page["total"] == 5 and len(page["reports"]) == 2 and page["next_offset"] == 2
        rest = client.get("/v1/reports", params={"status": "failed", "offset": 2}).json()
        listed = {item["id"] for item in page["reports"] + rest["reports"]}
        assert listed == {p.id for p in batch} and rest["next_offset"] is None
        assert client.get("/v1/reports", params={"status": "done"}).status_code == 422
        assert client.post("/v1/reports/retry", json={}).status_code == 422
        metrics = client.get("/metrics").text
        assert "sitrep_reports_failed 5.0" in metrics

        answer = client.post("/v1/reports/retry", json={"ids": ["short-3", "short-4", "long-x", "nope"]}).json()
        assert answer["requeued"] == 3 and answer["not_failed"] == ["nope"]
        assert status(r, "short-3") == "queued"
        burst_worker(child_env, 0.25)
        assert [status(r, rid) for rid in ("short-3", "short-4")] == ["done", "done"]
        assert (r.hget(keys.report("long-x"), "error") or b"").decode().startswith(BUDGET_EXCEEDED)
        assert len(FinishedJobRegistry(queue=queue).get_job_ids()) == 1

        everything = client.post("/v1/reports/retry", json={"all_failed": True}).json()
        assert everything["requeued"] == 3  # long-x (failed again), long-y, long-z
        assert r.zcard(keys.FAILED_REPORTS) == 0
        assert int(r.get(keys.BACKLOG) or 0) == 3


def test_a_job_abandoned_by_a_dead_worker_on_its_last_attempt_leaves_its_reports_failed(
    r: redis.Redis, child_env: dict[str, str], worker_settings: WorkerSettings
) -> None:
    store = ReportStore(r)
    batch = [short_report(5), long_report("k"), long_report("l"), long_report("m")]
    store.commit(batch)
    queue = Queue("sitrep", connection=r)
    (job_id,) = queue.job_ids
    r.hset(f"rq:job:{job_id}", "retries_left", 0)
    worker = start(["worker"], {**child_env, "SITREP_EXTRACTION_BUDGET_SECONDS": "0"})
    try:
        wait_until(lambda: status(r, "short-5") == "processing", timeout_seconds=60, what="the worker to claim them")
    finally:
        kill_group(worker)  # SIGKILL mid-extraction: RQ never hears of the failure from the worker
    assert {status(r, p.id) for p in batch} == {"processing"}
    # RQ's maintenance, minutes later in a live worker, finds the job abandoned: done now.
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 10_000)
    assert [status(r, p.id) for p in batch] == ["failed"] * 4
    assert "AbandonedJobError" in (r.hget(keys.report("long-m"), "error") or b"").decode()
