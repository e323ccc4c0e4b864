"""Storing reports and reading canonical events back, for the dedup tests."""

from __future__ import annotations

from typing import Any

import orjson
import redis

from core import keys
from core.event_reader import read_events
from core.settings import WorkerSettings
from schemas.events import CanonicalEvent
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, prepare
from workers.processing import BatchResult, process_batch


def ingest(r: redis.Redis, reports: list[dict[str, Any]], job_max_reports: int = 100) -> list[str]:
    """Store reports and their jobs as the API does; returns the ids."""
    store = ReportStore(r, job_max_reports=job_max_reports)
    return [outcome.id for outcome in store.commit([prepare(ReportIn.model_validate(item)) for item in reports])]


def process(r: redis.Redis, reports: list[dict[str, Any]], **settings: Any) -> BatchResult:
    return process_batch(r, ingest(r, reports), WorkerSettings(**settings))


def canonical_events(r: redis.Redis, mentions: int = 3) -> dict[str, CanonicalEvent]:
    """Every stored canonical event, by id, as the API renders it (a test may scan; the pipeline never does)."""
    ids = [key.decode().removeprefix("sitrep:canon:") for key in r.scan_iter(match="sitrep:canon:*", count=1000)]
    ids = [event_id for event_id in ids if ":" not in event_id]  # not its :mentions or :obs
    return {
        event_id: CanonicalEvent.model_validate_json(raw)
        for event_id, raw in zip(ids, read_events(r, ids, mentions), strict=True)
        if raw is not None
    }


def snapshot(r: redis.Redis) -> dict[str, Any]:
    """The canonical events with every mention: what must not depend on order or on the number of workers."""
    out = {}
    for event_id, event in canonical_events(r).items():
        mentions = [orjson.loads(m) for m in r.zrange(keys.canonical_mentions(event_id), 0, -1)]
        out[event_id] = {**event.model_dump(mode="json"), "all_mentions": mentions}
    return out


def one(r: redis.Redis, kind: str, place: str | None) -> CanonicalEvent:
    """The single canonical event of this kind about this place."""
    found = [
        event
        for event in canonical_events(r).values()
        if event.kind.value == kind and (event.place.id if event.place else None) == place
    ]
    assert len(found) == 1, f"{len(found)} canonical {kind} events about {place}"
    return found[0]


def stream_entries(r: redis.Redis) -> list[dict[str, str]]:
    return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in r.xrange(keys.EVENTS_STREAM)]
