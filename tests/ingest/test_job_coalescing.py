"""Reports that arrive while a job waits in the queue join it (services/ingest/store.py), against a real Redis."""

from __future__ import annotations

import threading

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job

from schemas.reports import ReportIn
from services import keys
from services.ingest.store import PreparedReport, ReportStore, prepare
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
