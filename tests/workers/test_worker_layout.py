"""The workers `sitrep run` starts: a delivery that hangs must not hold up the extraction of reports."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import redis
from rq import Queue, Worker

from core import keys
from core.settings import WorkerSettings
from services.supervisor import worker_queues
from tests.helpers import kill_group, start, wait_until
from tests.workers.test_processing import enqueue_fixtures


def test_the_layout_keeps_report_workers_off_the_webhook_queue() -> None:
    settings = WorkerSettings(redis_url="redis://unused")
    layout = worker_queues(2, settings)
    assert layout[:2] == [[settings.queue_name], [settings.queue_name]]
    assert layout[2] == [settings.webhook_queue_name, settings.queue_name]


def test_reports_are_processed_while_webhook_deliveries_hang(r: redis.Redis, child_env: dict[str, str]) -> None:
    settings = WorkerSettings(redis_url="redis://unused")
    layout = worker_queues(2, settings)
    listeners = sum(settings.webhook_queue_name in queues for queues in layout)
    workers = [start(["worker", *queues], child_env) for queues in layout]
    try:
        wait_until(lambda: Worker.count(connection=r) == len(layout), what="the workers to start")
        webhooks = Queue(settings.webhook_queue_name, connection=r)
        hanging = len(layout)  # as many hanging deliveries as workers: each worker that may take one will
        for _ in range(hanging):
            webhooks.enqueue("time.sleep", 120, job_timeout=180)
        wait_until(
            lambda: webhooks.started_job_registry.count == listeners and webhooks.count == hanging - listeners,
            what="every worker on the webhook queue to be stuck in a delivery",
        )
        ids = enqueue_fixtures(r)
        wait_until(
            lambda: [r.hget(keys.report(i), "status") for i in ids] == [b"done"] * len(ids),
            timeout_seconds=30,
            what="the reports to be processed beside the hanging deliveries",
        )
    finally:
        for worker in workers:
            kill_group(worker)  # a warm shutdown would wait for the sleeping delivery


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_worker_takes_the_scheduler_it_forked_with_it(r: redis.Redis, child_env: dict[str, str]) -> None:
    """RQ forks a scheduler beside each worker. A worker killed alone (the OOM killer) must not leave it
    running with the worker's Redis socket, where a BLMOVE would still wait to be handed the next job."""
    worker = start(["worker"], child_env)
    try:
        forked = wait_until(lambda: children(worker.pid), timeout_seconds=60, what="the worker to fork its scheduler")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        wait_until(lambda: not any(alive(pid) for pid in forked), what="the scheduler to die with its worker")
    finally:
        kill_group(worker)
