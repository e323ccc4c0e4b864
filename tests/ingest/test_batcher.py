"""The ingest batcher against a real Redis: lone requests in a steady stream share RQ jobs.

Each RQ job costs the workers a fixed ~6 ms on a small VM whatever it carries, so a stream of
single POSTs must not become one job per report; a request after a quiet spell must not wait.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import redis
import redis.asyncio
from rq import Queue

from schemas.reports import ReportIn
from services.ingest.batcher import IngestBatcher
from services.ingest.store import ReportStore, prepare


def _report(i: int) -> ReportIn:
    return ReportIn(
        source="desk",
        published_at=datetime(2017, 10, 14, 12, tzinfo=UTC),
        text=f"Rebels withdrew from the hamlet of Tell Number{i} on Friday, a monitor said.",
    )


def _jobs(r: redis.Redis) -> list[list[str]]:
    """Report ids of each queued job, in queue order."""
    return [list(job.args[0]) for job in Queue("sitrep", connection=r).get_jobs()]


async def _stream(redis_url: str, linger: float, gaps: list[float]) -> list[float]:
    """Submit one report, then one more after each gap without waiting for the earlier ones; seconds each took."""
    client = redis.asyncio.Redis.from_url(redis_url)
    batcher = IngestBatcher(ReportStore(redis.Redis.from_url(redis_url), client), linger_seconds=linger)
    batcher.start()

    async def submit(i: int) -> float:
        start = time.perf_counter()
        (outcome,) = await batcher.submit([prepare(_report(i))])
        assert outcome.duplicate_of is None
        return time.perf_counter() - start

    try:
        tasks = [asyncio.create_task(submit(0))]
        for i, gap in enumerate(gaps, start=1):
            await asyncio.sleep(gap)  # the arrival pattern under test, not a wait for a result
            tasks.append(asyncio.create_task(submit(i)))
        return list(await asyncio.gather(*tasks))
    finally:
        await batcher.stop()
        await client.aclose()


def test_lone_requests_in_a_steady_stream_share_one_job(r: redis.Redis, redis_url: str) -> None:
    # Five requests 10 ms apart: without a linger each commit is done before the next request comes.
    asyncio.run(_stream(redis_url, linger=0.5, gaps=[0.01] * 4))
    jobs = _jobs(r)
    assert len(jobs) == 2  # the first at once (nothing was committed before it), the other four together
    assert len(jobs[0]) == 1 and len(jobs[1]) == 4


def test_a_request_after_a_quiet_spell_is_committed_at_once(r: redis.Redis, redis_url: str) -> None:
    took = asyncio.run(_stream(redis_url, linger=5.0, gaps=[]))
    assert took[0] < 2.5  # well under the 5 s linger: nothing was committed recently
    assert len(_jobs(r)) == 1


def test_without_a_linger_lone_requests_commit_one_by_one(r: redis.Redis, redis_url: str) -> None:
    asyncio.run(_stream(redis_url, linger=0.0, gaps=[0.3] * 2))
    assert [len(job) for job in _jobs(r)] == [1, 1, 1]
