"""A worker killed in the middle of a job loses nothing: RQ retries the abandoned job, and the retry
finishes what the dead worker started, reports that joined its open job included (against a real Redis
and real `sitrep worker` processes; RQ's minutes-later maintenance pass is run at once)."""

from __future__ import annotations

import time

import redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from core import keys
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare
from tests.helpers import kill_group, start, stop_all, wait_for_line, wait_until


def reports(start_at: int, count: int) -> list[ReportToStore]:
    return [
        prepare(
            ReportIn(
                source=f"crash-desk-{i % 3}",
                published_at="2017-10-14T12:00:00Z",  # type: ignore[arg-type]
                text=f"Rebels said they captured the village of Kafr Crash{i} after a day of fighting. "
                f"About {100 + i} civilians were trapped in the village, a local council said.",
            )
        )
        for i in range(start_at, start_at + count)
    ]


def statuses(r: redis.Redis, batch: list[ReportToStore]) -> list[bytes | None]:
    return [r.hget(keys.report(p.id), "status") for p in batch]


def retry_abandoned_jobs(r: redis.Redis) -> list[str]:
    """What RQ does, minutes after a worker died, to the jobs it held: its maintenance finds them
    abandoned once their started-registry entries expire (the job timeout and a minute) and retries
    those with retries left; a retry waits out its interval in the scheduled registry, where an RQ
    scheduler enqueues it when due (once the dead worker's scheduler lock has expired). Done now."""
    queue = Queue("sitrep", connection=r)
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 10_000)
    scheduled = ScheduledJobRegistry(queue=queue)
    retried = scheduled.get_jobs_to_schedule(int(time.time()) + 10_000)
    for due in retried:
        job = Job.fetch(due, connection=r)
        scheduled.remove(job)
        queue.enqueue_job(job)
    return retried


def drain_with_a_new_worker(r: redis.Redis, child_env: dict[str, str], batch: list[ReportToStore]) -> None:
    survivor = start(["worker"], child_env)
    try:
        wait_for_line(survivor, "Listening on", timeout_seconds=60)
        wait_until(
            lambda: statuses(r, batch) == [b"done"] * len(batch),
            timeout_seconds=90,
            what="every report to be done after the retry",
        )
    finally:
        stop_all([survivor])


def test_a_worker_killed_mid_job_loses_no_report(r: redis.Redis, child_env: dict[str, str]) -> None:
    store = ReportStore(r, job_max_reports=2000)
    batch = reports(0, 2000)
    store.commit(batch)
    (job_id,) = Queue("sitrep", connection=r).job_ids
    worker = start(["worker"], child_env)
    try:
        first = keys.report(batch[0].id)
        wait_until(lambda: r.hget(first, "status") == b"done", timeout_seconds=60, what="the worker to be mid-job")
    finally:
        kill_group(worker)  # SIGKILL: no warm shutdown, no failure handling
    done_before = statuses(r, batch).count(b"done")
    assert 0 < done_before < len(batch), "the job ended before the kill; make it longer"
    later = reports(5000, 5)  # lone POSTs while the worker is dead: none may be lost either
    for report in later:
        store.commit([report])
    assert retry_abandoned_jobs(r) == [job_id]
    drain_with_a_new_worker(r, child_env, batch + later)
    assert not r.exists(keys.job_reports(job_id))  # the retry ended well and dropped the job's list
    events = [r.hget(keys.report(p.id), "events") for p in batch]
    assert all(value not in (None, b"[]") for value in events)  # every report yielded its events


def test_reports_that_joined_the_open_job_of_a_worker_then_killed_are_processed(
    r: redis.Redis, child_env: dict[str, str]
) -> None:
    """Killed while its job waits for newcomers: the reports that joined within the lease's last second
    are in the job's list, and the retry processes them."""
    store = ReportStore(r)
    first = reports(0, 1)
    store.commit(first)
    (job_id,) = Queue("sitrep", connection=r).job_ids
    worker = start(["worker"], {**child_env, "SITREP_JOB_LINGER_SECONDS": "60", "SITREP_JOB_OPEN_SECONDS": "120"})
    try:
        wait_until(
            lambda: r.hmget(keys.running_job("sitrep"), "job", "waiting") == [job_id.encode(), b"1"],
            timeout_seconds=60,
            what="the job to wait for newcomers",
        )
    finally:
        kill_group(worker)
    # What joins while the dead worker's lease still holds is the case under test: on a loaded machine
    # the commits below could come after its 1 s, so the lease is stretched here, and ended by hand.
    r.pexpire(keys.running_job("sitrep"), 30_000)
    joined = reports(1, 3)
    for report in joined:
        store.commit([report])  # the lease holds: they join the dead worker's job
    assert r.lrange(keys.job_reports(job_id), 0, -1) == [p.id.encode() for p in first + joined]
    r.delete(keys.running_job("sitrep"))  # the lease lapses
    assert retry_abandoned_jobs(r) == [job_id]
    drain_with_a_new_worker(r, child_env, first + joined)
    assert not r.exists(keys.job_reports(job_id))


def test_an_idle_worker_retries_a_dead_workers_job_within_its_maintenance_interval(
    r: redis.Redis, child_env: dict[str, str]
) -> None:
    """RQ's own maintenance retries abandoned jobs, by default every 10 minutes and only when an idle
    worker wakes (every 405 s). `SITREP_WORKER_MAINTENANCE_SECONDS` makes both short."""
    store = ReportStore(r, job_max_reports=2000)
    batch = reports(0, 2000)
    store.commit(batch)
    (job_id,) = Queue("sitrep", connection=r).job_ids
    env = {**child_env, "SITREP_WORKER_MAINTENANCE_SECONDS": "10"}
    worker = start(["worker"], env)
    try:
        first = keys.report(batch[0].id)
        wait_until(lambda: r.hget(first, "status") == b"done", timeout_seconds=60, what="the worker to be mid-job")
    finally:
        kill_group(worker)
    survivor = start(["worker"], env)
    try:
        wait_for_line(survivor, "cleaning registries", timeout_seconds=60)  # its start-up maintenance: done
        queue = Queue("sitrep", connection=r)
        started = StartedJobRegistry(queue=queue)
        (entry,) = r.zrange(started.key, 0, -1)
        r.zadd(started.key, {entry: time.time() - 1})  # as if the job's timeout and a minute had passed
        scheduled = ScheduledJobRegistry(queue=queue)
        wait_until(lambda: scheduled.get_job_ids() == [job_id], timeout_seconds=40, what="RQ to retry the job")
    finally:
        stop_all([survivor])
