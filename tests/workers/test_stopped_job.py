"""A report job stopped with `rq stop-job` (which RQ never retries) leaves its pending reports `failed`, not
`processing` for ever: a real forking `sitrep worker` stopped mid-job, and a SimpleWorker, which has no
work horse to kill and so runs the job on, whose job then fails while its stop is pending."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.command import send_stop_job_command
from rq.job import Job, JobStatus

import workers.jobs
from core import keys
from core.settings import WorkerSettings
from services.api.report_store import ReportStore
from tests.helpers import start, stop_all, wait_for_line, wait_until
from tests.workers.test_poison import long_report, short_report, status
from workers.runner import _worker_class


@pytest.mark.parametrize("plain_rq", [False, True], ids=["sitrep-worker", "rq-worker"])
def test_a_job_stopped_mid_run_on_a_forking_worker_leaves_its_pending_reports_failed(
    r: redis.Redis, child_env: dict[str, str], plain_rq: bool
) -> None:
    batch = [short_report(11), *(long_report(tag) for tag in "pqrstu")]
    ReportStore(r).commit(batch)
    (job_id,) = Queue("sitrep", connection=r).job_ids
    env = {**child_env, "SITREP_WORKER_CLASS": "rq.worker.Worker", "SITREP_EXTRACTION_BUDGET_SECONDS": "0"}
    if plain_rq:  # `rq worker`, documented as an alternative: the job's own stopped callback does it
        worker = subprocess.Popen(  # as documented: the URL, password included, in RQ's variable, not in --url
            [str(Path(sys.executable).with_name("rq")), "worker", "sitrep"],
            env={**env, "RQ_REDIS_URL": env["REDIS_URL"]},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    else:
        worker = start(["worker", "sitrep"], env)
    try:
        wait_for_line(worker, "Listening on", timeout_seconds=60)
        wait_until(lambda: status(r, "short-11") == "processing", timeout_seconds=60, what="the job to claim them")
        send_stop_job_command(r, job_id)
        wait_until(
            lambda: all(status(r, p.id) in ("done", "failed") for p in batch),
            timeout_seconds=30,
            what="every report of the stopped job settled",
        )
    finally:
        stop_all([worker])
    assert Job.fetch(job_id, connection=r).get_status() == JobStatus.STOPPED
    failed = [p.id for p in batch if status(r, p.id) == "failed"]
    assert failed, "the job was stopped after it had processed everything: no test"
    assert all("stopped (rq stop-job)" in (r.hget(keys.report(rid), "error") or b"").decode() for rid in failed)
    assert set(r.zrange(keys.FAILED_REPORTS, 0, -1)) == {rid.encode() for rid in failed}  # listed, retryable
    assert int(r.get(keys.BACKLOG) or 0) == 0


def test_a_stopped_job_that_fails_on_a_simple_worker_leaves_its_reports_failed(r: redis.Redis, redis_url: str) -> None:
    batch = [short_report(21), short_report(22)]
    ReportStore(r).commit(batch)
    queue = Queue("sitrep", connection=r)
    (job_id,) = queue.job_ids
    workers.jobs.use_settings(WorkerSettings(redis_url=redis_url))
    try:
        worker = _worker_class("rq.worker.SimpleWorker")([queue], connection=r)
        job = Job.fetch(job_id, connection=r)
        worker._stopped_job_id = job_id  # what `rq stop-job` leaves on a SimpleWorker: there is no horse to kill
        r.hset(keys.report("short-21"), "status", "processing")
        worker.handle_job_failure(job, queue, exc_string="ConnectionError: Redis went away")  # with retries left
    finally:
        workers.jobs._configured = None
    assert job.get_status(refresh=True) == JobStatus.STOPPED  # RQ: stopped, never retried
    assert [status(r, p.id) for p in batch] == ["failed", "failed"]
    assert "stopped (rq stop-job)" in (r.hget(keys.report("short-22"), "error") or b"").decode()


def test_a_report_posted_after_a_stop_is_handled_joins_a_new_job_not_the_stopped_one(
    r: redis.Redis, redis_url: str
) -> None:
    ReportStore(r).commit([short_report(31)])
    queue = Queue("sitrep", connection=r)
    (job_id,) = queue.job_ids
    # What a forking worker's horse leaves when `rq stop-job` kills it: the job taken off the queue and still
    # open to newcomers, its worker waiting with its list claimed.
    r.lrem(queue.key, 0, job_id)
    r.hset(keys.running_job("sitrep"), mapping={"job": job_id, "claimed": 1, "waiting": 1})
    workers.jobs.use_settings(WorkerSettings(redis_url=redis_url))
    try:
        workers.jobs.report_job_stopped(Job.fetch(job_id, connection=r), r)
    finally:
        workers.jobs._configured = None
    assert status(r, "short-31") == "failed"
    ReportStore(r).commit([short_report(32)])  # posted right after the callback read the job's list
    assert b"short-32" not in r.lrange(keys.job_reports(job_id), 0, -1)
    (new_job_id,) = queue.job_ids  # a job a worker will run: the report is not left `queued` for ever
    assert r.lrange(keys.job_reports(new_job_id), 0, -1) == [b"short-32"]
