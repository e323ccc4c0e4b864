"""Metrics and logs of the real pipeline: an API, three worker processes, a notifier and a dispatcher on the
suite's Redis. Reports are posted, /metrics is scraped, and every figure is checked against what Redis and
RQ say happened; every process's output is read back as JSON lines."""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import redis
from rq import Queue

from core import api_keys, keys
from core.delivery import signing
from core.embedded_redis import free_port
from schemas.reports import ReportIn
from tests.conftest import fixture_reports, sitrep_command
from tests.delivery.conftest import FAST_RETRIES, Receiver
from tests.delivery.conftest import receiver_factory as receiver_factory  # noqa: F401  (fixture)
from tests.helpers import stop_all, wait_for_line, wait_until
from tests.telemetry.scrape import Scrape, scrape
from workers.extraction import extract_events

LONE_TEXTS = [
    "Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday, the army said.",
    "Rebels withdrew from the village of Tell Sample on Saturday after two days of fighting, a local council said.",
    "Turkish-backed fighters seized the town of Jarabulus from the Islamic State group on Wednesday, officials said.",
    "About 2,000 civilians fled the town of Hajin overnight as fighting drew closer, a monitoring group said.",
]


class Piped:
    """A `sitrep` child process whose output (stdout and stderr) is collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], marker: str | None = None) -> None:
        self.process = subprocess.Popen(
            sitrep_command(*args),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = wait_for_line(self.process, marker, 60) if marker else []
        if not marker:
            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)


@pytest.fixture
def env(child_env: dict[str, str]) -> dict[str, str]:
    return {
        **child_env,
        "SITREP_WEBHOOK_RETRY_SECONDS": FAST_RETRIES,
        "SITREP_WEBHOOK_RETRY_JITTER": "0",
        "SITREP_WEBHOOK_TIMEOUT_SECONDS": "2",
        "SITREP_GROUP_WAIT_SECONDS": "0",
    }


@pytest.fixture
def api(r: redis.Redis, env: dict[str, str]) -> Iterator[tuple[str, Piped]]:
    port = free_port()
    process = Piped(["api", "--port", str(port), "--access-log"], env, marker="Application startup complete")
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop_all([process.process])


def caught_up(r: redis.Redis, stream: str, group: str) -> bool:
    """Whether a consumer group has read and acknowledged every entry of its stream."""
    groups: Any = r.xinfo_groups(stream)
    last = r.xinfo_stream(stream)["last-generated-id"]
    mine = [found for found in groups if found["name"].decode() == group]
    return bool(mine) and mine[0]["pending"] == 0 and mine[0]["last-delivered-id"] == last


def expected_kinds(reports: list[dict[str, Any]], ids: list[str]) -> Counter[str]:
    """What the extractor finds in these reports, run here in the test process: the workers must count the same."""
    found: Counter[str] = Counter()
    for body, report_id in zip(reports, ids, strict=True):
        report = ReportIn.model_validate(body)
        found.update(
            event.kind.value for event in extract_events(report.text, report.published_at, report_id=report_id)
        )
    return found


def test_metrics_of_two_workers_add_up_and_logs_are_json_with_ids(
    api: tuple[str, Piped],
    r: redis.Redis,
    env: dict[str, str],
    receiver_factory: Callable[..., Receiver],  # noqa: F811
) -> None:
    url, api_process = api
    key = api_keys.create(r, api_keys.ApiKeyIn(name="ops", scopes=["admin"])).key
    secret = signing.generate_secret()
    receiver = receiver_factory(plan=[503, 200])  # the first attempt fails: one retry, then each delivered
    client = httpx.Client(base_url=url, timeout=10, headers={"Authorization": f"Bearer {key}"})
    response = client.post("/v1/subscriptions", json={"url": receiver.url, "secret": secret})
    assert response.status_code == 201, response.text

    # Phase 1: one burst worker alone, at DEBUG, takes the fixture reports.
    batch = fixture_reports()
    response = client.post("/v1/reports/batch", json=batch)
    assert response.status_code == 202, response.text
    batch_ids = [ack["id"] for ack in response.json()["reports"]]
    first = subprocess.run(
        sitrep_command("worker", "sitrep", "--burst"),
        env={**env, "SITREP_LOG_LEVEL": "debug"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr

    # Phase 2: two long-running workers, the notifier and the dispatcher; lone reports, a resend, a bad one.
    workers = [Piped(["worker"], env, marker="Listening on") for _ in range(2)]
    others = [Piped(["notifier"], env), Piped(["dispatcher"], env)]
    processes = [api_process, *workers, *others]
    lone = [
        {"source": f"Desk {i}", "published_at": "2017-10-20T10:00:00Z", "text": text}
        for i, text in enumerate(LONE_TEXTS)
    ]
    try:
        lone_ids = []
        for i, body in enumerate(lone):
            answer = client.post("/v1/reports", json=body, headers={"X-Request-ID": f"test-request-{i}"})
            assert answer.status_code == 202, answer.text
            assert answer.headers["x-request-id"] == f"test-request-{i}"
            lone_ids.append(answer.json()["id"])
        resend = client.post("/v1/reports", json=lone[0])
        assert resend.json()["status"] == "duplicate"
        assert len(resend.headers["x-request-id"]) == 32  # none sent: one made up
        bad = client.post("/v1/reports", json={"source": "Desk", "text": ""}, headers={"X-Request-ID": "bad one!"})
        assert bad.status_code == 422
        assert bad.headers["x-request-id"] != "bad one!"  # not a plain token: replaced
        ids = batch_ids + lone_ids
        wait_until(
            lambda: all(r.hget(keys.report(i), "status") == b"done" for i in ids),
            timeout_seconds=60,
            what="every report done",
        )
        queue = Queue("sitrep", connection=r)
        webhook_queue = Queue("sitrep-webhooks", connection=r)
        wait_until(lambda: caught_up(r, keys.EVENTS_STREAM, keys.NOTIFIER_GROUP), what="the notifier")
        alerts = r.xlen(keys.ALERTS_STREAM)  # group wait 0: every alert is out once its events are read
        assert alerts >= 2
        wait_until(lambda: caught_up(r, keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP), what="the dispatcher")
        receiver.wait_for(alerts + 1, timeout_seconds=30)
        assert client.get("/v1/alerts", params={"access_token": key}).status_code == 200

        def settled() -> Scrape | None:
            """A scrape once every job has ended and sent its counts (a worker sends them as a job ends)."""
            if queue.count or queue.started_job_registry.count or webhook_queue.started_job_registry.count:
                return None
            got = scrape(client)
            jobs = {
                "process_reports": len(queue.finished_job_registry.get_job_ids()),
                "deliver_webhook": len(webhook_queue.finished_job_registry.get_job_ids()),
            }
            counted = {job: got.value("sitrep_job_duration_seconds_count", job=job) for job in jobs}
            done = got.value("sitrep_reports_processed_total", outcome="done")
            delivered = got.value("sitrep_webhook_attempts_total", outcome="delivered")
            return got if counted == jobs and done == len(ids) and delivered == alerts else None

        metrics = wait_until(settled, what="the workers' counts")
        finished_jobs = len(queue.finished_job_registry.get_job_ids())
    finally:
        client.close()
        stop_all([process.process for process in processes])

    logged: Any = r.xrange(keys.ALERTS_STREAM)
    kinds = Counter(json.loads(fields[b"alert"])["type"].removeprefix("sitrep.alert.") for _, fields in logged)
    reports = batch + lone

    # Ingest: per report, and the refused request.
    assert metrics.value("sitrep_reports_ingested_total", outcome="queued") == len(ids)
    assert metrics.value("sitrep_reports_ingested_total", outcome="duplicate") == 1
    assert metrics.value("sitrep_reports_ingested_total", outcome="rejected") == 1
    # Workers: three processes added into the same figures.
    assert metrics.value("sitrep_reports_processed_total", outcome="failed") == 0
    assert metrics.value("sitrep_extraction_duration_seconds_count") == len(ids)
    assert metrics.value("sitrep_extraction_duration_seconds_bucket", le="+Inf") == len(ids)
    assert 0 < metrics.value("sitrep_extraction_duration_seconds_sum") < 60
    extracted = {labels["kind"]: value for labels, value in metrics.samples("sitrep_events_extracted_total")}
    assert {kind: count for kind, count in extracted.items() if count} == dict(expected_kinds(reports, ids))
    assert finished_jobs >= 2  # the burst worker's job, and at least one of the others'
    # Notifier: each alert once, by kind, each with its latency.
    assert alerts == sum(kinds.values()) >= 4
    counted = {labels["kind"]: value for labels, value in metrics.samples("sitrep_alerts_total")}
    assert {kind: count for kind, count in counted.items() if count} == dict(kinds)
    assert metrics.value("sitrep_report_to_alert_seconds_count") == alerts
    # Dispatcher and webhook attempts: one delivery per alert; the first attempt was refused once.
    assert metrics.value("sitrep_dispatcher_alerts_total") == alerts
    assert metrics.value("sitrep_webhook_deliveries_created_total") == alerts
    assert metrics.value("sitrep_webhook_attempts_total", outcome="retry") == 1
    assert metrics.value("sitrep_webhook_attempts_total", outcome="delivered") == alerts
    # HTTP: by route template, never by the id in the path.
    posted = metrics.value(
        "sitrep_http_request_duration_seconds_count", method="POST", route="/v1/reports", status="202"
    )
    assert posted == len(lone) + 1
    assert metrics.value("sitrep_http_request_duration_seconds_count", method="POST", route="/v1/reports", status="422")
    assert not [
        labels for labels, _ in metrics.samples("sitrep_http_request_duration_seconds_count") if "r-" in str(labels)
    ]
    # Gauges read from Redis.
    assert metrics.value("sitrep_reports_backlog") == 0
    assert metrics.value("sitrep_reports_failed") == 0

    # Logs: one JSON object a line from every process, ids bound, no secret anywhere.
    outputs = {
        "api": api_process.lines,
        "burst worker": (first.stdout + first.stderr).splitlines(),
        **{f"worker {i}": process.lines for i, process in enumerate(workers)},
        "notifier": others[0].lines,
        "dispatcher": others[1].lines,
    }
    parsed: dict[str, list[dict[str, Any]]] = {}
    for name, lines in outputs.items():
        parsed[name] = [json.loads(line) for line in lines if line.strip()]
        assert parsed[name], f"{name} logged nothing"
        for line in parsed[name]:
            assert {"time", "level", "logger", "message"} <= set(line), line
            datetime.fromisoformat(line["time"])
        text = "\n".join(lines)
        assert key[len("sitrep_0123456789ab_") :] not in text, f"{name} logged the API key"
        assert secret.removeprefix("whsec_") not in text, f"{name} logged the webhook secret"
    extracted_lines = [line for line in parsed["burst worker"] if line["message"].startswith("report extracted")]
    assert {line["report_id"] for line in extracted_lines} == set(batch_ids)
    assert all(line["job_id"] and line["level"] == "debug" for line in extracted_lines)
    assert not any(line["level"] == "debug" for name in ("api", "notifier") for line in parsed[name])
    requests = {line.get("request_id") for line in parsed["api"]}
    assert {f"test-request-{i}" for i in range(len(lone))} <= requests
    dispatched = {line.get("alert_id") for line in parsed["dispatcher"]} - {None}
    assert dispatched == {json.loads(fields[b"alert"])["id"] for _, fields in logged}
    emitted = [line for line in parsed["notifier"] if line["message"].startswith("alert emitted")]
    assert {line["alert_id"] for line in emitted} == dispatched and len(emitted) == alerts
    assert all(line["report_id"] in ids and line["place_id"] for line in emitted)
    attempts = [line for name in ("worker 0", "worker 1") for line in parsed[name] if line.get("delivery_id")]
    assert {line["alert_id"] for line in attempts if "attempt" in line["message"]} == dispatched
