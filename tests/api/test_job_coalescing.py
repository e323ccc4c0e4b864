"""Reports that arrive while a job waits in the queue join it (services/api/report_store.py), against a real Redis."""

from __future__ import annotations

import signal
import threading

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job

from core import defaults, keys
from core.errors import UnreplayableEnqueue
from core.settings import WorkerSettings
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare, replay_words
from tests.helpers import start, stop_all, wait_for_line, wait_until
from workers.dedup.event_store import EventStore
from workers.jobs import open_seconds
from workers.processing import BatchResult, process_job_reports


def reports(start: int, count: int) -> list[ReportToStore]:
    return [
        prepare(
            ReportIn(
                source="coalescing-test",
                published_at="2017-10-14T12:00:00Z",  # type: ignore[arg-type]
                text=f"Government forces took the village of Tell Test{i} from rebels, a monitor said.",
            )
        )
        for i in range(start, start + count)
    ]


def job_lists(r: redis.Redis) -> dict[str, list[str]]:
    """Report list of every job in the queue, in queue order."""
    queue = Queue("sitrep", connection=r)
    return {job_id: [i.decode() for i in r.lrange(keys.job_reports(job_id), 0, -1)] for job_id in queue.job_ids}


def test_reports_join_the_queued_job_until_it_is_full(r: redis.Redis) -> None:
    store = ReportStore(r, job_max_reports=5)
    first, second, third = reports(0, 2), reports(2, 3), reports(5, 1)
    store.commit(first)
    store.commit(second)  # 2 + 3 fit in one job of 5
    store.commit(third)  # a sixth does not: a new job, which is now the open one
    lists = list(job_lists(r).values())
    assert lists == [[p.id for p in first + second], [p.id for p in third]]
    assert r.get(keys.open_job("sitrep")) == list(job_lists(r))[1].encode()


def test_a_batch_larger_than_a_job_is_split_and_the_last_job_stays_open(r: redis.Redis) -> None:
    store = ReportStore(r, job_max_reports=4)
    batch = reports(0, 10)
    store.commit(batch)
    store.commit(reports(10, 1))
    lists = list(job_lists(r).values())
    assert lists == [[p.id for p in batch[:4]], [p.id for p in batch[4:8]], [p.id for p in batch[8:]] + [lists[2][-1]]]
    assert len(lists[2]) == 3


def test_duplicates_are_not_given_to_a_job_and_a_commit_of_only_duplicates_makes_none(r: redis.Redis) -> None:
    store = ReportStore(r)
    batch = reports(0, 3)
    store.commit(batch)
    outcomes = store.commit(batch)
    assert [o.status for o in outcomes] == ["duplicate"] * 3
    assert list(job_lists(r).values()) == [[p.id for p in batch]]


def test_a_started_job_takes_no_newcomers(r: redis.Redis) -> None:
    store = ReportStore(r)
    early = reports(0, 2)
    store.commit(early)
    (job_id,) = job_lists(r)
    claimed = EventStore(r, WorkerSettings()).claim_job(
        job_id, "sitrep"
    )  # what the job does first when a worker runs it
    assert [row[0] for row in claimed] == [p.id for p in early]
    assert r.get(keys.open_job("sitrep")) is None
    late = reports(2, 1)
    store.commit(late)
    lists = job_lists(r)
    assert lists[job_id] == [p.id for p in early]  # unchanged: the job read its list already
    assert [ids for other, ids in lists.items() if other != job_id] == [[late[0].id]]


def test_a_job_removed_from_the_queue_is_not_joined(r: redis.Redis) -> None:
    store = ReportStore(r)
    store.commit(reports(0, 1))
    Queue("sitrep", connection=r).empty()  # deletes the queued job, its record included
    late = reports(1, 1)
    store.commit(late)
    assert list(job_lists(r).values()) == [[late[0].id]]


def test_a_retried_job_reads_its_list_again(r: redis.Redis) -> None:
    store = ReportStore(r)
    batch = reports(0, 3)
    store.commit(batch)
    (job_id,) = job_lists(r)
    EventStore(r, WorkerSettings()).claim_job(job_id, "sitrep")  # a first run that died after claiming
    result = process_job_reports(r, job_id, "sitrep", WorkerSettings())  # the retry
    assert result.processed == 3
    assert [r.hget(keys.report(p.id), "status") for p in batch] == [b"done"] * 3
    assert not r.exists(keys.job_reports(job_id))  # dropped once every report is done


def test_rq_workers_process_every_report_once_while_reports_keep_joining(r: redis.Redis) -> None:
    """A producer commits one report at a time while an RQ worker drains the queue: whatever the
    interleaving of joins and job starts, every report ends done, in exactly one job's list."""
    store = ReportStore(r, job_max_reports=20)
    batch = reports(0, 200)
    producer = threading.Thread(target=lambda: [store.commit([p]) for p in batch])
    queue = Queue("sitrep", connection=r)
    worker = SimpleWorker([queue], connection=r)
    producer.start()
    while producer.is_alive():
        worker.work(burst=True)
    producer.join()
    worker.work(burst=True)
    assert [r.hget(keys.report(p.id), "status") for p in batch] == [b"done"] * len(batch)
    jobs = [Job.fetch(job_id, connection=r) for job_id in queue.finished_job_registry.get_job_ids()]
    assert sum(job.return_value()["processed"] for job in jobs) == len(batch)  # type: ignore[index]
    assert len(jobs) < len(batch)  # some reports shared a job
    assert not list(r.scan_iter(match=keys.job_reports("*")))


@pytest.mark.parametrize("max_reports", [0, -1])
def test_job_max_reports_below_one_is_refused(r: redis.Redis, max_reports: int) -> None:
    with pytest.raises(ValueError, match="job_max_reports"):
        ReportStore(r, job_max_reports=max_reports)


def test_each_queue_has_its_own_open_job(r: redis.Redis) -> None:
    ReportStore(r, queue_name="sitrep").commit(reports(0, 1))
    other = reports(1, 1)
    ReportStore(r, queue_name="sitrep-eu").commit(other)  # an API deployed with another SITREP_QUEUE_NAME
    (job_id,) = Queue("sitrep-eu", connection=r).job_ids
    assert r.lrange(keys.job_reports(job_id), 0, -1) == [other[0].id.encode()]
    assert len(Queue("sitrep", connection=r).job_ids) == 1


def test_a_job_a_worker_took_off_the_queue_is_not_joined_even_if_the_worker_died(r: redis.Redis) -> None:
    """RQ marks a job 'started' only after popping it; a worker that dies in between leaves it 'queued'.
    Reports must not pile into it: only a job still in the queue list is joined."""
    store = ReportStore(r)
    store.commit(reports(0, 1))
    (taken,) = job_lists(r)
    r.lpop("rq:queue:sitrep")  # a worker's BLPOP, and then the worker is gone
    late = reports(1, 1)
    store.commit(late)
    assert list(job_lists(r).values()) == [[late[0].id]]
    assert r.lrange(keys.job_reports(taken), 0, -1) == [reports(0, 1)[0].id.encode()]


def test_reports_that_joined_before_the_worker_popped_the_job_are_processed_by_it(r: redis.Redis) -> None:
    store = ReportStore(r)
    early = reports(0, 2)
    store.commit(early[:1])
    store.commit(early[1:])  # joins
    (job_id,) = job_lists(r)
    r.lmove("rq:queue:sitrep", "rq:intermediate:sitrep", "LEFT", "RIGHT")  # RQ 3's dequeue, not yet 'started'
    late = reports(2, 1)
    store.commit(late)  # the job left the queue list: a new job
    result = process_job_reports(r, job_id, "sitrep", WorkerSettings())
    assert result.processed == 2
    assert [r.hget(keys.report(p.id), "status") for p in early] == [b"done", b"done"]
    assert list(job_lists(r).values()) == [[late[0].id]]


def test_a_retried_job_back_in_the_queue_takes_no_newcomers(r: redis.Redis) -> None:
    store = ReportStore(r)
    store.commit(reports(0, 1))
    (job_id,) = job_lists(r)
    r.lpop("rq:queue:sitrep")
    EventStore(r, WorkerSettings()).claim_job(job_id, "sitrep")  # the first run read its list, then failed
    r.rpush("rq:queue:sitrep", job_id)  # RQ's retry puts it back in the queue
    late = reports(1, 1)
    store.commit(late)
    lists = job_lists(r)
    assert lists[job_id] == [reports(0, 1)[0].id]
    assert [ids for other, ids in lists.items() if other != job_id] == [[late[0].id]]


def test_the_replayed_job_is_the_job_rq_itself_would_store(r: redis.Redis) -> None:
    ReportStore(r).commit(reports(0, 1))
    (job_id,) = job_lists(r)
    replayed = Job.fetch(job_id, connection=r)
    native = Queue("sitrep", connection=r).enqueue("workers.jobs.process_reports", job_timeout=180)
    assert set(r.hkeys(replayed.key)) >= set(r.hkeys(native.key)) - {b"result_ttl", b"ttl", b"failure_ttl"}
    assert (replayed.func_name, replayed.args, replayed.origin, replayed.get_status()) == (
        native.func_name,
        native.args,
        native.origin,
        native.get_status(),
    )
    assert replayed.timeout == 180 and replayed.retries_left == 3
    assert r.ttl(replayed.key) == r.ttl(native.key) == -1
    assert Queue("sitrep", connection=r).job_ids == [job_id, native.id]
    assert r.smembers("rq:queues") == {b"rq:queue:sitrep"}


def test_a_batch_of_more_than_a_thousand_new_reports_fills_jobs_in_order(r: redis.Redis) -> None:
    store = ReportStore(r, job_max_reports=2500)
    batch = reports(0, 1100)
    store.commit(batch)
    assert list(job_lists(r).values()) == [[p.id for p in batch]]


def test_an_enqueue_the_script_cannot_replay_is_refused_before_anything_is_sent() -> None:
    assert replay_words([("SADD", "rq:queues", "rq:queue:sitrep"), (b"RPUSH", "q", "j")]) == [
        3,
        "SADD",
        "rq:queues",
        "rq:queue:sitrep",
        3,
        b"RPUSH",
        "q",
        "j",
    ]
    with pytest.raises(UnreplayableEnqueue, match="EVALSHA"):
        replay_words([("HSET", "k", "f", "v"), ("EVALSHA", "abc", 0)])


def test_the_job_named_by_the_ingest_is_the_worker_function() -> None:
    """The ingest names the job function instead of importing it (that would load the extractor)."""
    from services.api.report_store import PROCESS_REPORTS
    from workers.jobs import process_reports

    assert PROCESS_REPORTS == f"{process_reports.__module__}.{process_reports.__qualname__}"


# A running job that stays open to newcomers (workers/processing.py, process_job_reports).

OPEN = WorkerSettings(job_linger_seconds=30.0, job_open_seconds=60.0)
"""Lingers far longer than any test: every job below ends because of what the test does."""


class RunningJob:
    """`process_job_reports` of the only queued job, in a thread, as an RQ worker would run it."""

    def __init__(
        self,
        r: redis.Redis,
        settings: WorkerSettings = OPEN,
        open_seconds: float | None = None,
        other_queues: tuple[str, ...] = (),
    ) -> None:
        (self.job_id,) = job_lists(r)
        r.lpop("rq:queue:sitrep")  # RQ's dequeue
        self.stop = threading.Event()
        self.result: BatchResult | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.result = process_job_reports(
                    r,  # redis-py clients are thread-safe: each call takes a connection from the pool
                    self.job_id,
                    "sitrep",
                    settings,
                    open_seconds=open_seconds,
                    stop_requested=self.stop.is_set,
                    other_queues=other_queues,
                )
            except BaseException as error:  # surfaced by finish()
                self.error = error

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def finish(self) -> BatchResult:
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the job did not end"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def waits_idle(r: redis.Redis, job_id: str) -> bool:
    """The job is the running one, has claimed all of its list, and its worker waits with nothing in hand."""
    job, claimed, waiting = r.hmget(keys.running_job("sitrep"), "job", "claimed", "waiting")
    return job == job_id.encode() and waiting == b"1" and int(claimed or -1) == r.llen(keys.job_reports(job_id))


def statuses(r: redis.Redis, batch: list[ReportToStore]) -> list[bytes | None]:
    return [r.hget(keys.report(p.id), "status") for p in batch]


def test_a_running_job_takes_reports_posted_while_it_waits_and_processes_them(r: redis.Redis) -> None:
    store = ReportStore(r)
    first, later = reports(0, 1), reports(1, 3)
    store.commit(first)
    job = RunningJob(r)
    for report in later:  # a trickle of lone POSTs, each after the job has taken the one before
        wait_until(lambda: waits_idle(r, job.job_id), what="the job to wait for newcomers")
        store.commit([report])
    wait_until(lambda: statuses(r, later) == [b"done"] * 3, what="the newcomers to be processed")
    assert Queue("sitrep", connection=r).count == 0  # no RQ job was made for them
    assert job.finish().processed == 4
    assert not r.exists(keys.running_job("sitrep")) and not r.exists(keys.job_reports(job.job_id))
    store.commit(reports(4, 1))  # the job has ended: a new one
    assert len(job_lists(r)) == 1


def test_a_running_job_is_joined_only_while_its_worker_waits_with_nothing_in_hand(r: redis.Redis) -> None:
    """A busy worker would make newcomers wait while another may be idle: they get a new job, and the busy
    one takes no more. A waiting worker takes up to RUNNING_JOB_MAX_WAITING before it has claimed them."""
    store = ReportStore(r)
    events = EventStore(r, OPEN)
    store.commit(reports(0, 1))
    (job_id,) = job_lists(r)
    r.lpop("rq:queue:sitrep")
    events.claim_job(job_id, "sitrep", lease_milliseconds=5000)  # the worker is busy with its report
    busy = reports(1, 1)
    store.commit(busy)
    assert list(job_lists(r).values()) == [[busy[0].id]]  # a new queued job
    assert not r.exists(keys.running_job("sitrep")) and r.lpop(keys.job_wake(job_id)) == b"1"
    rows, still_open = events.take(job_id, "sitrep", 1, close=False, lease_milliseconds=5000)
    assert rows == [] and not still_open  # the busy job ends once its report is done
    Queue("sitrep", connection=r).empty()

    store.commit(reports(2, 1))
    (job_id,) = job_lists(r)
    r.lpop("rq:queue:sitrep")
    events.claim_job(job_id, "sitrep", lease_milliseconds=5000)
    assert events.take(job_id, "sitrep", 1, close=False, lease_milliseconds=5000) == ([], True)  # now it waits
    joined = reports(3, defaults.RUNNING_JOB_MAX_WAITING)
    store.commit(joined[:1])
    store.commit(joined[1:])  # before the worker woke: still within the reports that may wait
    assert [i.decode() for i in r.lrange(keys.job_reports(job_id), 1, -1)] == [p.id for p in joined]
    assert r.llen(keys.job_wake(job_id)) == 2  # one token per join
    too_many = reports(100, 1)
    store.commit(too_many)
    assert list(job_lists(r).values()) == [[too_many[0].id]]
    rows, still_open = events.take(job_id, "sitrep", 1, close=False, lease_milliseconds=5000)
    assert [row[0] for row in rows] == [p.id for p in joined] and not still_open  # drains, takes no more


def test_a_running_job_is_not_joined_beyond_the_job_size(r: redis.Redis) -> None:
    store = ReportStore(r, job_max_reports=3)
    store.commit(reports(0, 2))
    job = RunningJob(r)
    wait_until(lambda: waits_idle(r, job.job_id), what="the job to wait for newcomers")
    store.commit(reports(2, 1))  # fills it
    wait_until(lambda: waits_idle(r, job.job_id), what="the job to take the newcomer and wait again")
    late = reports(3, 1)
    store.commit(late)  # would make 4: a new job, and the running one is told to end
    assert job.finish().processed == 3
    assert list(job_lists(r).values()) == [[late[0].id]]


def test_a_lingering_job_ends_at_once_when_a_new_job_is_queued(r: redis.Redis) -> None:
    """The worker of a waiting job is woken to free itself for the queue, though it would linger 30 s."""
    store = ReportStore(r, job_max_reports=2)
    store.commit(reports(0, 1))
    job = RunningJob(r)
    wait_until(lambda: waits_idle(r, job.job_id), what="the job to wait for newcomers")
    store.commit(reports(1, 2))  # too many for the running job: a new job
    job.thread.join(timeout=10)
    assert not job.thread.is_alive() and job.result is not None and job.result.processed == 1


def test_a_job_that_finds_others_queued_does_not_linger(r: redis.Redis) -> None:
    """A pre-filled queue (a backlog, a burst): each job ends as soon as its own list is done."""
    store = ReportStore(r, job_max_reports=2)
    store.commit(reports(0, 4))
    (first, _second) = job_lists(r)
    r.lpop("rq:queue:sitrep")
    result = process_job_reports(r, first, "sitrep", OPEN)  # returns without waiting: the queue is not empty
    assert result.processed == 2


def test_a_job_does_not_linger_while_a_queue_its_worker_also_serves_has_jobs(r: redis.Redis) -> None:
    """The webhook worker also takes report jobs: it must not keep deliveries waiting for newcomers."""
    store = ReportStore(r)
    store.commit(reports(0, 1))
    r.rpush("rq:queue:sitrep-webhooks", "a-delivery-job")
    job = RunningJob(r, other_queues=("sitrep-webhooks",))
    job.thread.join(timeout=10)
    assert not job.thread.is_alive() and job.result is not None and job.result.processed == 1


def test_a_job_takes_newcomers_only_with_a_retry_left_and_for_a_third_of_its_timeout() -> None:
    settings = WorkerSettings(job_open_seconds=10)
    assert open_seconds(settings, 180, 3) == 10
    assert open_seconds(settings, 6, 1) == 2
    assert open_seconds(settings, 180, 0) == 0  # the last attempt: if it failed, nothing would retry it
    assert open_seconds(settings, 180, None) == 0  # a job enqueued without retries, likewise


def test_a_job_closes_when_its_worker_is_asked_to_stop_or_its_time_is_up(r: redis.Redis) -> None:
    store = ReportStore(r)
    store.commit(reports(0, 1))
    job = RunningJob(r)
    wait_until(lambda: waits_idle(r, job.job_id), what="the job to wait for newcomers")
    assert job.finish().processed == 1  # stop_requested: a warm shutdown
    store.commit(reports(1, 1))
    job = RunningJob(r, open_seconds=0.0)  # open for no time: ends as soon as its list is done
    job.thread.join(timeout=10)
    assert not job.thread.is_alive() and job.result is not None and job.result.processed == 1


def test_a_job_that_fails_takes_no_newcomers_and_its_retry_processes_every_report(
    r: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ReportStore(r)
    batch = reports(0, 1)
    store.commit(batch)
    (job_id,) = job_lists(r)

    def redis_down(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Redis went away")

    monkeypatch.setattr(EventStore, "start_merge", redis_down)
    with pytest.raises(redis.ConnectionError):
        process_job_reports(r, job_id, "sitrep", OPEN)
    monkeypatch.undo()
    assert not r.exists(keys.running_job("sitrep"))
    late = reports(1, 1)
    store.commit(late)
    assert [ids for other, ids in job_lists(r).items() if other != job_id] == [[late[0].id]]
    assert process_job_reports(r, job_id, "sitrep", WorkerSettings(job_linger_seconds=0)).processed == 1  # the retry
    assert statuses(r, batch) == [b"done"]


def test_a_worker_that_dies_holding_an_open_job_strands_no_report(r: redis.Redis) -> None:
    """A worker killed while its job waits for newcomers: reports join it only until RUNNING_JOB_MAX_WAITING
    wait unclaimed or its lease lapses, and RQ's retry of the abandoned job processes them."""
    store = ReportStore(r)
    store.commit(reports(0, 1))
    (job_id,) = job_lists(r)
    r.lpop("rq:queue:sitrep")
    events = EventStore(r, OPEN)
    events.claim_job(job_id, "sitrep", lease_milliseconds=300)
    events.take(job_id, "sitrep", 1, close=False, lease_milliseconds=300)  # waits ... and is killed
    joined = reports(1, defaults.RUNNING_JOB_MAX_WAITING)
    for report in joined:
        store.commit([report])
    later = reports(100, 1)
    store.commit(later)  # one too many: a new job
    assert [ids for other, ids in job_lists(r).items() if other != job_id] == [[later[0].id]]
    Queue("sitrep", connection=r).empty()
    wait_until(lambda: not r.exists(keys.running_job("sitrep")), what="the lease to lapse")
    store.commit(reports(101, 1))
    assert job_id not in job_lists(r)
    result = process_job_reports(r, job_id, "sitrep", WorkerSettings(job_linger_seconds=0))  # the retry
    assert result.processed == 1 + len(joined)
    assert set(statuses(r, reports(0, 1) + joined)) == {b"done"}


def test_rq_workers_with_open_jobs_process_every_report_once(r: redis.Redis, child_env: dict[str, str]) -> None:
    """Two `sitrep worker` processes run open jobs while a producer commits one report at a time: whatever
    the interleaving of joins, wake-ups and closes, every report ends done, in exactly one job."""
    store = ReportStore(r, job_max_reports=20)
    batch = reports(0, 150)
    queue = Queue("sitrep", connection=r)
    workers = [start(["worker"], child_env) for _ in range(2)]
    try:
        for process in workers:
            wait_for_line(process, "Listening on", timeout_seconds=60)
        for report in batch:
            store.commit([report])
        wait_until(lambda: statuses(r, batch) == [b"done"] * len(batch), 60, "every report to be done")
        wait_until(lambda: queue.finished_job_registry.count == len(job_ids_seen(r)), 30, "the jobs to end")
    finally:
        stop_all(workers)
    jobs = [Job.fetch(job_id, connection=r) for job_id in queue.finished_job_registry.get_job_ids()]
    assert sum(job.return_value()["processed"] for job in jobs) == len(batch)  # type: ignore[index]
    assert len(jobs) < len(batch)
    assert not list(r.scan_iter(match=keys.job_reports("*")))


def job_ids_seen(r: redis.Redis) -> set[bytes]:
    """Every report job RQ knows of (its job hashes)."""
    return {key.removeprefix(b"rq:job:") for key in r.scan_iter(match="rq:job:reports-*")}


def test_a_warm_shutdown_ends_a_job_that_waits_for_newcomers(r: redis.Redis, child_env: dict[str, str]) -> None:
    """SIGTERM to `sitrep worker` while its job lingers (for up to a minute here): the job closes at once,
    ends well, and the worker exits, instead of holding the shutdown for the linger."""
    worker = start(["worker"], {**child_env, "SITREP_JOB_LINGER_SECONDS": "60", "SITREP_JOB_OPEN_SECONDS": "120"})
    try:
        wait_for_line(worker, "Listening on", timeout_seconds=60)
        batch = reports(0, 1)
        ReportStore(r).commit(batch)
        wait_until(lambda: statuses(r, batch) == [b"done"], what="the report to be done")
        wait_until(lambda: r.exists(keys.running_job("sitrep")), what="the job to wait for newcomers")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        stop_all([worker])
    assert Queue("sitrep", connection=r).finished_job_registry.count == 1
    assert not r.exists(keys.running_job("sitrep"))
