"""Concurrency on a real Redis with real worker processes: resends, overlapping jobs, 1 vs 4 workers."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import redis
from rq import Queue
from rq.job import Job
from rq.registry import FinishedJobRegistry, StartedJobRegistry

from core import keys
from core.embedded_redis import free_port
from tests.conftest import sitrep_command
from tests.dedup.corpus import overlapping_reports
from tests.dedup.helpers import canonical_events, ingest, snapshot, stream_entries
from tests.helpers import start, stop_all, wait_for_line, wait_until
from workers.jobs import process_reports


@pytest.fixture
def workers(r: redis.Redis, child_env: dict[str, str]) -> Iterator[list[subprocess.Popen[str]]]:
    """Four RQ workers, each listening before the test goes on."""
    processes = [start(["worker"], child_env) for _ in range(4)]
    try:
        for process in processes:
            wait_for_line(process, "Listening on", timeout_seconds=60)
        yield processes
    finally:
        stop_all(processes)


def all_jobs_finished(r: redis.Redis) -> bool:
    queue = Queue("sitrep", connection=r)
    return queue.count == 0 and StartedJobRegistry(queue=queue).count == 0


REPORT = {
    "source": "Wire desk",
    "published_at": "2017-10-15T08:00:00Z",
    "text": "The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday, "
    "a spokesman said. UN officials believe an estimated 4,000 civilians remain trapped inside Raqqa.",
}


def test_the_same_report_posted_five_times_at_once_is_one_report_with_unchanged_mentions(
    r: redis.Redis, child_env: dict[str, str], workers: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    api = start(["api", "--port", str(port)], child_env)
    try:
        wait_for_line(api, "Application startup complete")
        url = f"http://127.0.0.1:{port}"

        def post(_: int) -> dict[str, Any]:
            with httpx.Client(base_url=url, timeout=10) as client:
                response = client.post("/v1/reports", json=REPORT)
                assert response.status_code == 202, response.text
                body: dict[str, Any] = response.json()
                return body

        with ThreadPoolExecutor(5) as pool:
            acks = list(pool.map(post, range(5)))
        (report_id,) = {ack["id"] for ack in acks}
        assert sorted(ack["status"] for ack in acks) == ["duplicate"] * 4 + ["queued"]
        with httpx.Client(base_url=url, timeout=10) as client:
            wait_until(lambda: client.get(f"/v1/reports/{report_id}").json()["status"] == "done", what="report done")
            wait_until(lambda: all_jobs_finished(r), what="every job finished")
            view = client.get(f"/v1/reports/{report_id}").json()
            first = {event["id"]: event for event in view["events"]}
            with ThreadPoolExecutor(5) as pool:  # and five more once it is done
                list(pool.map(post, range(5)))
            wait_until(lambda: all_jobs_finished(r), what="every job finished")
            again = {event_id: client.get(f"/v1/events/{event_id}").json() for event_id in first}
    finally:
        stop_all([api])
    assert len(list(r.scan_iter(match="sitrep:report:*"))) == 1
    assert {event["kind"] for event in first.values()} == {"control_change", "civilian_count"}
    assert all(event["mention_count"] == 1 and len(event["mentions"]) == 1 for event in first.values())
    assert again == first
    assert len(canonical_events(r)) == 2
    assert len(stream_entries(r)) == 2  # one `created` entry per event, none for the resends
    assert [c["change"] for c in view["contributions"]] == ["created", "created"]


def test_fifty_overlapping_reports_give_the_same_canonical_events_with_one_or_four_workers(
    r: redis.Redis, child_env: dict[str, str]
) -> None:
    reports = overlapping_reports()
    assert len(reports) == 50
    shuffled = random.Random(4).sample(reports, len(reports))

    def enqueue() -> None:
        # Jobs of 5 reports as the ingest makes them, then jobs naming the same reports again in another
        # order (as jobs queued by hand do): every report is in two jobs, which run on different workers
        # at the same time. (A resend through the ingest makes no job: it is a duplicate.)
        ingest(r, reports, job_max_reports=5)
        ids = [item["id"] for item in shuffled]
        Queue("sitrep", connection=r).enqueue_many(
            [Queue.prepare_data(process_reports, args=(ids[i : i + 5],)) for i in range(0, len(ids), 5)]
        )

    enqueue()
    assert Queue("sitrep", connection=r).count == 20  # 10 jobs from the ingest, 10 naming the same reports
    alone = subprocess.run(sitrep_command("worker", "--burst"), env=child_env, capture_output=True, timeout=120)
    assert alone.returncode == 0, alone.stderr.decode()
    one_worker = snapshot(r)
    one_stream = len(stream_entries(r))

    r.flushall()
    processes = [start(["worker"], child_env) for _ in range(4)]
    try:
        for process in processes:
            wait_for_line(process, "Listening on", timeout_seconds=60)
        enqueue()
        wait_until(lambda: all_jobs_finished(r), timeout_seconds=120, what="every job finished")
        finished = FinishedJobRegistry("sitrep", connection=r).get_job_ids()
        workers_used = {job.worker_name for job in Job.fetch_many(finished, connection=r) if job is not None}
    finally:
        stop_all(processes)
    four_workers = snapshot(r)
    assert all(r.hget(keys.report(item["id"]), "status") == b"done" for item in reports)
    assert len(workers_used) > 1, "the jobs should have been shared between workers"
    assert four_workers == one_worker
    assert len(stream_entries(r)) == one_stream
    assert len(one_worker) >= 15 and sum(e["mention_count"] for e in one_worker.values()) >= 60
