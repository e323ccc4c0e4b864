"""Where a report's events go: the event records, the indexes the API reads, the stream the notifier reads."""

from __future__ import annotations

from datetime import datetime

import orjson
from redis.client import Pipeline

from schemas.events import Event
from schemas.reports import ReportIn
from services import keys
from services.settings import WorkerSettings


def _place_index_ids(event: Event) -> list[str]:
    """A place and each place it sits in: 'raqqa/al-nahda' is listed under itself and under 'raqqa'."""
    if event.place is None:
        return []
    parts = event.place.id.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def write_report_events(
    pipe: Pipeline, report_id: str, report: ReportIn, events: list[Event], now: datetime, settings: WorkerSettings
) -> None:
    """Queue on `pipe` every write for one processed report (the caller executes it)."""
    score = now.timestamp()
    ttl = settings.event_ttl_seconds or None
    for event in events:
        payload = orjson.dumps(event.model_dump(mode="json", exclude_none=True))
        pipe.set(keys.event(event.id), payload, ex=ttl)
        pipe.zadd(keys.EVENTS_INDEX, {event.id: score})
        pipe.zadd(keys.events_by_kind(event.kind.value), {event.id: score})
        for place_id in _place_index_ids(event):
            pipe.zadd(keys.events_by_place(place_id), {event.id: score})
        pipe.xadd(
            keys.EVENTS_STREAM,
            {
                "event": payload,
                "report_id": report_id,
                "source": report.source,
                "published_at": report.published_at.isoformat(),
            },
            maxlen=settings.events_stream_maxlen,
            approximate=True,
        )
    pipe.hset(
        keys.report(report_id),
        mapping={"status": "done", "events": orjson.dumps([event.id for event in events]), "done_at": now.isoformat()},
    )
