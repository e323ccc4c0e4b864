"""One batch of reports: load them, extract events, store events and report status, feed the notifier.

Redis round trips are spent per batch (one read, one write transaction), not per report. A report
whose text breaks the extractor is marked `failed` with the error, and the rest of the batch goes
on; a Redis error propagates so RQ retries the whole (idempotent) job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from schemas.events import Event
from schemas.reports import ReportIn
from services import keys
from services.settings import WorkerSettings
from workers.event_store import write_report_events
from workers.extraction import extract_events

log = logging.getLogger(__name__)

_PENDING = {"queued", "processing"}


@dataclass
class BatchResult:
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    events: int = 0
    failures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"processed": self.processed, "skipped": self.skipped, "failed": self.failed, "events": self.events}


def _load(connection: redis.Redis, report_ids: list[str]) -> list[tuple[str, dict[str, str]]]:
    with connection.pipeline(transaction=False) as pipe:
        for report_id in report_ids:
            pipe.hgetall(keys.report(report_id))
        records = pipe.execute()
    loaded = []
    for report_id, record in zip(report_ids, records, strict=True):
        fields = {k.decode(): v.decode() for k, v in record.items()}
        loaded.append((report_id, fields))
    return loaded


def process_batch(connection: redis.Redis, report_ids: list[str], settings: WorkerSettings) -> BatchResult:
    """Process the reports among `report_ids` that are still pending."""
    result = BatchResult()
    pending: list[tuple[str, str]] = []
    for report_id, fields in _load(connection, report_ids):
        if fields.get("status") not in _PENDING:
            result.skipped += 1  # gone (expired), a duplicate, or done by an earlier run of this job
            continue
        pending.append((report_id, fields.get("report", "")))
    if not pending:
        return result
    with connection.pipeline(transaction=False) as pipe:
        for report_id, _ in pending:
            pipe.hset(keys.report(report_id), "status", "processing")
        pipe.execute()

    extracted: list[tuple[str, ReportIn, list[Event]]] = []
    for report_id, payload in pending:
        try:
            report = ReportIn.model_validate_json(payload)
            events = extract_events(report.text, report.published_at, report_id=report_id)
        except Exception as error:  # one bad record or an extractor bug must not sink the batch
            log.exception("report %s failed", report_id)
            result.failed += 1
            result.failures[report_id] = f"{type(error).__name__}: {error}"[:2000]
            continue
        extracted.append((report_id, report, events))

    now = datetime.now(UTC)
    with connection.pipeline(transaction=True) as pipe:
        for report_id, report, events in extracted:
            write_report_events(pipe, report_id, report, events, now, settings)
            result.processed += 1
            result.events += len(events)
        for report_id, message in result.failures.items():
            pipe.hset(keys.report(report_id), mapping={"status": "failed", "error": message})
        pipe.execute()
    return result
