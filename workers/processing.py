"""One batch of reports: claim them, extract events, merge them into canonical events, feed the notifier.

Redis round trips are spent per batch, not per report: one script claims the batch, and one
script call per chunk of it merges (workers/dedup/event_store.py), sent while the next chunk is being
extracted. A report whose text breaks the extractor is marked `failed` with the
error, and the rest of the batch goes on; a Redis error propagates so RQ retries the whole job,
which is harmless: the merge skips reports already done.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from rq.timeouts import JobTimeoutException

from core import defaults, keys, logs, metrics
from core.metrics import TALLY
from core.settings import WorkerSettings
from core.streams import StreamTrimmer
from schemas.reports import ReportIn
from workers.dedup.canonical import ReportFacts, merge_item
from workers.dedup.event_store import EventStore, MergeOutcome, ReportToMerge
from workers.extraction import ExtractionBudgetExceeded, extract_events

log = logging.getLogger(__name__)

_PENDING = {"queued", "processing"}

MERGE_CHUNK_REPORTS = 25
"""Reports per merge script call: small enough that extraction and Redis's merge overlap well, large
enough that the per-call cost stays small."""


@dataclass
class BatchResult:
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    events: int = 0
    near_duplicates: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    outcomes: list[MergeOutcome] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        """Count another round of the same job in."""
        self.processed += other.processed
        self.skipped += other.skipped
        self.failed += other.failed
        self.events += other.events
        self.near_duplicates += other.near_duplicates
        self.failures.update(other.failures)
        self.outcomes += other.outcomes

    def as_dict(self) -> dict[str, int]:
        return {
            "processed": self.processed,
            "skipped": self.skipped,
            "failed": self.failed,
            "events": self.events,
            "near_duplicates": self.near_duplicates,
        }


BUDGET_EXCEEDED = "extraction time budget exceeded"
"""The error of a report whose extraction ran past `SITREP_EXTRACTION_BUDGET_SECONDS`."""


def prepare_report(report_id: str, payload: str, budget_seconds: float = 0.0) -> ReportToMerge:
    """Extract one stored report; an unreadable record, an extractor error or a report past its time budget
    (`budget_seconds`, 0: none) becomes a failed report. RQ's job timeout is re-raised: it is the job's."""
    try:
        report = ReportIn.model_validate_json(payload)
        deadline = time.monotonic() + budget_seconds if budget_seconds > 0 else None
        events = extract_events(report.text, report.published_at, report_id=report_id, deadline=deadline)
        facts = ReportFacts.of(report_id, report)
        return ReportToMerge.done(facts, report.text, [merge_item(report_id, facts, event) for event in events])
    except JobTimeoutException:
        # Swallowed, the job would run on past its timeout (RQ may meanwhile start a second copy) and this
        # report, healthy or not, would be marked failed: the job fails instead, and its retry goes on.
        raise
    except ExtractionBudgetExceeded:
        log.warning("report %s: extraction time budget of %s s exceeded", report_id, budget_seconds)
        return ReportToMerge(id=report_id, error=f"{BUDGET_EXCEEDED} ({budget_seconds:g} s)")
    except Exception as error:  # one bad record or an extractor bug must not sink the batch
        log.exception("report %s failed", report_id)
        return ReportToMerge(id=report_id, error=f"{type(error).__name__}: {error}"[:2000])


def _timed_prepare(report_id: str, payload: str, budget_seconds: float) -> ReportToMerge:
    """`prepare_report` with the report's id bound to its log lines, counted in the worker's metrics."""
    began = time.perf_counter()
    with logs.bound(report_id=report_id):
        report = prepare_report(report_id, payload, budget_seconds)
        seconds = time.perf_counter() - began
        if log.isEnabledFor(logging.DEBUG):
            log.debug("report extracted: %d events in %.1f ms", len(report.items), seconds * 1000)
    TALLY.observe(metrics.EXTRACTION_DURATION, seconds)
    for item in report.items:
        TALLY.add(metrics.EVENTS_EXTRACTED, item.kind)
    return report


def process_batch(connection: redis.Redis, report_ids: list[str], settings: WorkerSettings) -> BatchResult:
    """Process the reports among `report_ids` that are still pending."""
    store = EventStore(connection, settings)
    return _process_claimed(store, store.claim(report_ids))


WAIT_SLICE_SECONDS = 0.05
"""A lingering job looks at its stop conditions (a warm shutdown, its deadline) at least this often."""


def process_job_reports(
    connection: redis.Redis,
    job_id: str,
    queue_name: str,
    settings: WorkerSettings,
    open_seconds: float | None = None,
    stop_requested: Callable[[], bool] = lambda: False,
    other_queues: Sequence[str] = (),
) -> BatchResult:
    """Process the reports the ingest gave to RQ job `job_id` (services/api/report_store.py), and those that
    join it while it runs.

    The job is closed to new reports while queued as soon as it starts, and becomes the queue's running
    job instead: while it waits with nothing in hand, the ingest may append newcomers and wake it.
    When it has nothing left it waits up to `settings.job_linger_seconds` for more, unless jobs wait in
    its queue or in `other_queues` (the worker's others), the worker is asked to stop, or it has been
    open `open_seconds` (0: not at all); then it closes,
    in the same script call as its last look at the list, so no report joins a job that has ended.
    A steady trickle of POSTs thus shares one RQ job, and each report skips RQ's wait between jobs.
    The list is dropped only once every report in it is done or failed, so a retry after a crash reads
    it again, newcomers included; a job that raises closes itself first.
    """
    store = EventStore(connection, settings)
    linger = settings.job_linger_seconds
    open_for = settings.job_open_seconds if open_seconds is None else open_seconds
    lease = defaults.RUNNING_JOB_LEASE_MILLISECONDS if linger > 0 and open_for > 0 else 0
    result = BatchResult()
    try:
        rows = store.claim_job(job_id, queue_name, lease)
        offset = len(rows)
        closes_at = time.monotonic() + open_for
        idle_since: float | None = None
        while True:
            if rows:
                result.add(_process_claimed(store, rows))
            now = time.monotonic()
            close = (
                not lease
                or now >= closes_at
                or (idle_since is not None and now - idle_since >= linger)
                or (idle_since is not None and stop_requested())
            )
            rows, still_open = store.take(job_id, queue_name, offset, close, lease, other_queues)
            offset += len(rows)
            if rows:
                idle_since = None
            elif not still_open:
                break
            else:
                idle_since = now if idle_since is None else idle_since
                # At least 10 ms: Redis before 7.0.8 rounds a BLPOP timeout under 1 ms to 0, which blocks forever.
                wait = min(WAIT_SLICE_SECONDS, max(0.01, idle_since + linger - now))
                store.wait_for_newcomers(job_id, wait)
    except BaseException:
        with contextlib.suppress(redis.RedisError):  # Redis itself may be what failed: its lease then lapses
            store.close_job(job_id, queue_name)
        raise
    store.forget_job(job_id)
    return result


_trimmer: list[StreamTrimmer] = []


def _events_trimmer(store: EventStore) -> StreamTrimmer:
    """This process's trimmer of `sitrep:events`: at most one trim a second, never past what the notifier has
    not read (one per process; made again if the connection or the length changes)."""
    maxlen = store.settings.events_stream_maxlen
    if not _trimmer or _trimmer[0].connection is not store.connection or _trimmer[0].maxlen != maxlen:
        _trimmer[:] = [StreamTrimmer(store.connection, keys.EVENTS_STREAM, maxlen)]
    return _trimmer[0]


def _process_claimed(store: EventStore, rows: list[tuple[str, str, str]]) -> BatchResult:
    result = BatchResult()
    budget = store.settings.extraction_budget_seconds
    prepared: list[ReportToMerge] = []
    claimed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for report_id, status, payload in rows:
        if status not in _PENDING or report_id in seen:
            result.skipped += 1  # gone (expired), a duplicate, or done by an earlier run of this job
            continue
        seen.add(report_id)
        claimed.append((report_id, payload))
    # Extract a chunk while Redis merges the one before: each chunk's merge is one atomic script call
    # (a retry skips what an earlier run finished), and the worker never waits idle for Redis.
    outcomes: list[MergeOutcome] = []
    waiting: Callable[[], list[MergeOutcome]] | None = None
    for start in range(0, len(claimed), MERGE_CHUNK_REPORTS):
        chunk = [
            _timed_prepare(report_id, payload, budget)
            for report_id, payload in claimed[start : start + MERGE_CHUNK_REPORTS]
        ]
        prepared += chunk
        if waiting is not None:
            outcomes += waiting()
        # What was counted so far (this chunk's extraction, the last chunk's outcomes) rides with the merge.
        waiting = store.start_merge(chunk, datetime.now(UTC), also=TALLY.take())
    if waiting is not None:
        outcomes += waiting()
    if any(outcome.changes for outcome in outcomes):
        _events_trimmer(store).maybe_trim()
    for outcome in outcomes:
        result.outcomes.append(outcome)
        if outcome.status == "skipped":
            result.skipped += 1  # another worker finished it while this one was extracting
        elif outcome.status == "failed":
            result.failed += 1
        else:
            result.processed += 1
            result.events += len(outcome.changes)
            result.near_duplicates += outcome.near_duplicate_of is not None
    # Sent with the next merge or take, or when the job ends (workers/jobs.py).
    TALLY.add(metrics.REPORTS_PROCESSED, "done", amount=result.processed)
    TALLY.add(metrics.REPORTS_PROCESSED, "failed", amount=result.failed)
    TALLY.add(metrics.REPORTS_PROCESSED, "skipped", amount=result.skipped)
    result.failures = {report.id: report.error for report in prepared if report.error is not None}
    return result
