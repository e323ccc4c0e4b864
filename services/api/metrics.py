"""GET /metrics: Prometheus text format.

Two kinds of figures. Counters of what this API process accepted (cheap increments on the hot
path). Gauges read from Redis at scrape time (queue depth, failed jobs, stream lengths, the
notifier's lag): they describe the whole deployment, whichever API replica is scraped, and they
need no worker or notifier to export anything, so `rq worker` processes are covered too.
"""

from __future__ import annotations

import time
from typing import Any

import redis.asyncio
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from starlette.responses import Response

from core import keys


class IngestMetrics:
    """The registry of one app (not the global one, so tests can build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.reports = Counter(
            "sitrep_reports_received",
            "Reports this API process accepted, by outcome (queued or duplicate).",
            ["outcome"],
            registry=self.registry,
        )
        self.queued = self.reports.labels(outcome="queued")
        self.duplicates = self.reports.labels(outcome="duplicate")
        self.queue_jobs = Gauge("sitrep_queue_jobs", "RQ jobs waiting in a queue.", ["queue"], registry=self.registry)
        self.failed_jobs = Gauge(
            "sitrep_failed_jobs", "RQ jobs in a queue's failed registry.", ["queue"], registry=self.registry
        )
        self.stream_length = Gauge(
            "sitrep_stream_entries", "Entries in a sitrep stream.", ["stream"], registry=self.registry
        )
        self.notifier_pending = Gauge(
            "sitrep_notifier_pending_entries",
            "Event stream entries delivered to a notifier but not yet acknowledged.",
            registry=self.registry,
        )
        self.notifier_lag = Gauge(
            "sitrep_notifier_lag_entries",
            "Event stream entries not yet delivered to the notifier group.",
            registry=self.registry,
        )
        self.group_lag = Gauge(
            "sitrep_stream_group_lag_entries",
            "Entries of a stream not yet delivered to a consumer group (Redis 7 and later).",
            ["stream", "group"],
            registry=self.registry,
        )
        self.group_unread_age = Gauge(
            "sitrep_stream_group_oldest_unread_seconds",
            "Age of the oldest entry a consumer group has not read yet, or of its oldest unacknowledged one"
            " (0 when it is up to date). The streams are never trimmed past it.",
            ["stream", "group"],
            registry=self.registry,
        )
        self.redis_memory = Gauge("sitrep_redis_used_memory_bytes", "Redis used_memory.", registry=self.registry)
        self.reports_failed = Gauge(
            "sitrep_reports_failed",
            "Reports in the failed index (GET /v1/reports?status=failed).",
            registry=self.registry,
        )
        self.reports_backlog = Gauge(
            "sitrep_reports_backlog", "Reports stored and not yet done or failed.", registry=self.registry
        )

    def count(self, statuses: list[str]) -> None:
        duplicates = statuses.count("duplicate")
        if duplicates:
            self.duplicates.inc(duplicates)
        if len(statuses) > duplicates:
            self.queued.inc(len(statuses) - duplicates)

    async def refresh(self, client: redis.asyncio.Redis, queues: list[str]) -> None:
        """Read the deployment-wide gauges from Redis in one pipeline."""
        async with client.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.llen(f"rq:queue:{queue}")
                pipe.zcard(f"rq:failed:{queue}")
            pipe.xlen(keys.EVENTS_STREAM)
            pipe.xlen(keys.ALERTS_STREAM)
            pipe.info("memory")
            pipe.zcard(keys.FAILED_REPORTS)
            pipe.get(keys.BACKLOG)
            replies: list[Any] = await pipe.execute()
        for i, queue in enumerate(queues):
            self.queue_jobs.labels(queue=queue).set(replies[2 * i])
            self.failed_jobs.labels(queue=queue).set(replies[2 * i + 1])
        events_length, alerts_length, memory, failed, backlog = replies[2 * len(queues) :]
        self.reports_failed.set(failed)
        self.reports_backlog.set(max(int(backlog or 0), 0))
        self.stream_length.labels(stream=keys.EVENTS_STREAM).set(events_length)
        self.stream_length.labels(stream=keys.ALERTS_STREAM).set(alerts_length)
        self.redis_memory.set(memory.get("used_memory", 0))
        pending = lag = 0
        groups = await self._groups(client, keys.EVENTS_STREAM) if events_length else []
        for group in groups:
            if _text(group["name"]) == keys.NOTIFIER_GROUP:
                pending = group.get("pending") or 0
                lag = group.get("lag") or 0
        self.notifier_pending.set(pending)
        self.notifier_lag.set(lag)
        if alerts_length:
            await self._groups(client, keys.ALERTS_STREAM)

    async def _groups(self, client: redis.asyncio.Redis, stream: str) -> list[dict[str, Any]]:
        """XINFO GROUPS of a stream, with each group's lag and oldest unread (or unacknowledged) entry's age."""
        try:
            groups: list[dict[str, Any]] = await client.xinfo_groups(stream)
        except redis.ResponseError:  # the stream appeared but its consumer has not made its group yet
            return []
        now_ms = int(time.time() * 1000)
        for group in groups:
            name = _text(group["name"])
            if group.get("lag") is not None:
                self.group_lag.labels(stream=stream, group=name).set(group["lag"])
            if group.get("pending"):
                summary: dict[str, Any] = await client.xpending(stream, name)
                oldest: Any = summary["min"]
            else:
                after: Any = await client.xrange(stream, min=f"({_text(group['last-delivered-id'])}", count=1)
                oldest = after[0][0] if after else None
            age = max(now_ms - int(_text(oldest).split("-")[0]), 0) / 1000 if oldest else 0.0
            self.group_unread_age.labels(stream=stream, group=name).set(age)
        return groups


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


router = APIRouter(tags=["ops"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(request: Request) -> Response:
    """Prometheus metrics: this process's counters and the deployment's queue and stream gauges."""
    state = request.app.state
    registry: IngestMetrics = state.metrics
    await registry.refresh(state.redis, [state.settings.queue_name, state.settings.webhook_queue_name])
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
