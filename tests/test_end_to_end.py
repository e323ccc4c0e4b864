"""The whole pipeline as separate processes on a real Redis: POST reports, receive the alerts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from core import keys
from core.embedded_redis import free_port
from tests.conftest import fixture_reports, sitrep_command
from tests.helpers import start, stop_all, wait_for_line, wait_until


@pytest.fixture
def api(r: redis.Redis, child_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = start(["api", "--port", str(port)], child_env)
    try:
        wait_for_line(process, "Application startup complete")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_all([process])


def collect_alerts(pubsub: redis.client.PubSub, until: int, timeout_seconds: float = 30) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_seconds
    while len(alerts) < until:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {len(alerts)} alerts arrived: {[a['data']['summary'] for a in alerts]}"
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
        if message is not None:
            alerts.append(json.loads(message["data"]))
    return alerts


SENTINEL = {
    "id": "sentinel-palmyra",
    "source": "Wire desk",
    "published_at": "2017-10-20T10:00:00Z",
    "text": "Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday, "
    "the army said in a statement.",
}


def test_post_to_alert_with_two_workers_and_a_notifier(api: str, r: redis.Redis, child_env: dict[str, str]) -> None:
    pubsub = r.pubsub()
    pubsub.subscribe(keys.ALERTS_CHANNEL)
    pubsub.get_message(timeout=5)  # the subscribe confirmation: from here on nothing published is missed
    processes = [start(["worker"], child_env), start(["worker"], child_env), start(["notifier"], child_env)]
    try:
        with httpx.Client(base_url=api, timeout=10) as client:
            response = client.post("/v1/reports/batch", json=fixture_reports())
            assert response.status_code == 202, response.text
            ids = [ack["id"] for ack in response.json()["reports"]]
            wait_until(
                lambda: all(client.get(f"/v1/reports/{i}").json()["status"] == "done" for i in ids),
                what="all reports done",
            )
            # Posted after the others are done, so its events come last in the stream: when its alert
            # arrives, everything before it has been through the notifier.
            assert client.post("/v1/reports", json=SENTINEL).status_code == 202
            alerts = []
            while not alerts or alerts[-1]["subject"] != "palmyra":
                alerts += collect_alerts(pubsub, until=1)
            report = client.get(f"/v1/reports/{ids[0]}").json()
            situation = client.get("/v1/situation/raqqa/al-nahda").json()
            logged = client.get("/v1/alerts").json()
    finally:
        stop_all(processes)

    kinds = [(alert["type"], alert["subject"]) for alert in alerts]
    assert kinds == [
        ("sitrep.alert.control_changed", "raqqa/al-nahda"),
        ("sitrep.alert.civilian_threshold", "raqqa"),
        ("sitrep.alert.control_changed", "palmyra"),
    ] or kinds == [
        ("sitrep.alert.civilian_threshold", "raqqa"),
        ("sitrep.alert.control_changed", "raqqa/al-nahda"),
        ("sitrep.alert.control_changed", "palmyra"),
    ]
    nahda = next(alert for alert in alerts if alert["subject"] == "raqqa/al-nahda")
    assert nahda["specversion"] == "1.0" and nahda["source"] and nahda["id"]
    assert nahda["data"]["after"]["controller"] == "sdf"
    assert nahda["data"]["reports"] == [ids[0]]
    assert "al-Nahda" in nahda["data"]["summary"] and "→" in nahda["data"]["summary"]
    assert {"control_change", "civilian_count"} <= {event["kind"] for event in report["events"]}
    assert situation["control"]["controller"] == "sdf"
    assert [alert["id"] for alert in logged] == [alert["id"] for alert in alerts]


def test_a_202_report_waits_for_a_worker_that_starts_later(api: str, r: redis.Redis, child_env: dict[str, str]) -> None:
    with httpx.Client(base_url=api, timeout=10) as client:
        ack = client.post("/v1/reports", json=fixture_reports()[0]).json()
        assert client.get(ack["status_url"]).json()["status"] == "queued"
        worker = subprocess.run(sitrep_command("worker", "--burst"), env=child_env, capture_output=True, timeout=60)
        assert worker.returncode == 0, worker.stderr.decode()
        view = client.get(ack["status_url"]).json()
    assert view["status"] == "done"
    assert any(event["kind"] == "control_change" for event in view["events"])


def test_plain_rq_worker_processes_reports_and_rq_info_sees_the_queue(
    api: str, r: redis.Redis, child_env: dict[str, str], redis_url: str
) -> None:
    with httpx.Client(base_url=api, timeout=10) as client:
        ack = client.post("/v1/reports", json=fixture_reports()[0]).json()
        rq_bin = [sys.executable, "-m", "rq.cli"]
        info = subprocess.run(
            [*rq_bin, "info", "--url", redis_url, "sitrep"], env=child_env, capture_output=True, text=True, timeout=60
        )
        assert info.returncode == 0, info.stderr
        assert "sitrep" in info.stdout and "1" in info.stdout
        worker = subprocess.run(
            [*rq_bin, "worker", "--burst", "--url", redis_url, "sitrep"],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr
        assert client.get(ack["status_url"]).json()["status"] == "done"


def test_concurrent_lone_posts_with_three_workers_are_each_processed_once(
    api: str, r: redis.Redis, child_env: dict[str, str]
) -> None:
    """Eight clients POST one report at a time while three worker processes run: reports join queued
    jobs and workers take jobs in every interleaving; each report ends done, in exactly one finished
    job, and no job's report list is left behind."""
    from concurrent.futures import ThreadPoolExecutor

    from rq import Queue
    from rq.job import Job

    workers = [start(["worker", "sitrep"], child_env) for _ in range(3)]
    try:
        for worker in workers:
            wait_for_line(worker, "Listening on", timeout_seconds=60)

        def post(i: int) -> str:
            body = {
                "source": f"desk-{i % 5}",
                "published_at": "2017-10-14T12:00:00Z",
                "text": f"Rebels withdrew from the village of Tell Concurrent{i} on Saturday, a local council said.",
            }
            response = httpx.post(f"{api}/v1/reports", json=body, timeout=10)
            assert response.status_code == 202, response.text
            report_id: str = response.json()["id"]
            return report_id

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(post, range(240)))
        assert len(set(ids)) == 240
        wait_until(
            lambda: all(status == b"done" for status in [r.hget(keys.report(i), "status") for i in ids]),
            timeout_seconds=60,
            what="every report to be processed",
        )
        queue = Queue("sitrep", connection=r)
        wait_until(lambda: queue.started_job_registry.count == 0, what="the last job to finish")
    finally:
        stop_all(workers)
    jobs = [Job.fetch(job_id, connection=r) for job_id in queue.finished_job_registry.get_job_ids()]
    results: list[dict[str, int]] = [job.return_value() for job in jobs]  # type: ignore[misc]
    assert sum(result["processed"] for result in results) == 240
    assert sum(result["skipped"] for result in results) == 0  # no report was handed to two jobs
    assert not queue.failed_job_registry.count
    assert not list(r.scan_iter(match=keys.job_reports("*")))
