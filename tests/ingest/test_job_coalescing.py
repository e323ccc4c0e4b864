"""Reports that arrive while a job waits in the queue join it (services/ingest/store.py), against a real Redis."""

from __future__ import annotations

import threading

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job

from schemas.reports import ReportIn
from services import keys
from services.ingest.store import PreparedReport, ReportStore, UnexpectedEnqueueError, prepare, replay_words
from services.settings import WorkerSettings
from workers.event_store import EventStore
from workers.processing import process_job_reports


def reports(start: int, count: int) -> list[PreparedReport]:
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
    with pytest.raises(UnexpectedEnqueueError, match="EVALSHA"):
        replay_words([("HSET", "k", "f", "v"), ("EVALSHA", "abc", 0)])


def test_the_job_named_by_the_ingest_is_the_worker_function() -> None:
    """The ingest names the job function instead of importing it (that would load the extractor)."""
    from services.ingest.store import PROCESS_REPORTS
    from workers.jobs import process_reports

    assert PROCESS_REPORTS == f"{process_reports.__module__}.{process_reports.__qualname__}"
