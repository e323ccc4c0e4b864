"""GET /metrics: Prometheus text format, for the whole deployment whichever API replica is scraped.

Two kinds of figures, both read from Redis at scrape time. The stored counters and histograms that
every process adds into (core/metrics.py: the API's own requests and ingest outcomes, the workers'
reports, events, extraction and jobs, the notifier's alerts, the webhook deliveries). And gauges of
the state itself (queue depth, failed jobs, backlog, stream lengths, consumer lag), which need no
process to export anything, so `rq worker` processes are covered too.
"""

from __future__ import annotations

import time
from typing import Any

import redis.asyncio
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import Response

from core import keys
from core import metrics as catalogue
from core.metrics import Tally

FLUSH_SECONDS = 1.0
"""An API process sends what it counted at most this often (services/api/request_telemetry.py), and at each scrape."""


class IngestMetrics:
    """The registry of one app (not the global one, so tests can build many apps in one process)."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.registry = CollectorRegistry(auto_describe=True)
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
        self.tally.add(catalogue.REPORTS_INGESTED, "duplicate", amount=duplicates)
        self.tally.add(catalogue.REPORTS_INGESTED, "queued", amount=len(statuses) - duplicates)

    async def flush(self, client: redis.asyncio.Redis) -> None:
        """Send this process's tally in one round trip (kept for the next one if Redis fails)."""
        commands = self.tally.take()
        if not commands:
            return
        try:
            async with client.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)
                await pipe.execute()
        except redis.RedisError:
            self.tally.put_back(commands)
            raise

    async def refresh(self, client: redis.asyncio.Redis, queues: list[str]) -> list[Metric]:
        """Send this process's tally, then read the stored metrics (returned) and set the gauges, in one pipeline."""
        commands = self.tally.take()
        async with client.pipeline(transaction=False) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            for stored in catalogue.CATALOGUE:
                pipe.hgetall(stored.key)
            for queue in queues:
                pipe.llen(f"rq:queue:{queue}")
                pipe.zcard(f"rq:failed:{queue}")
            pipe.xlen(keys.EVENTS_STREAM)
            pipe.xlen(keys.ALERTS_STREAM)
            pipe.info("memory")
            pipe.zcard(keys.FAILED_REPORTS)
            pipe.get(keys.BACKLOG)
            try:
                replies: list[Any] = (await pipe.execute())[len(commands) :]
            except redis.RedisError:
                self.tally.put_back(commands)
                raise
        families = [
            render(stored, raw)
            for stored, raw in zip(catalogue.CATALOGUE, replies[: len(catalogue.CATALOGUE)], strict=True)
        ]
        replies = replies[len(catalogue.CATALOGUE) :]
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
        return families

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


def render(stored: catalogue.Metric, raw: dict[bytes, bytes]) -> Metric:
    """One stored metric's hash as a Prometheus family: counters as they are; histogram buckets summed
    up to each bound (Prometheus buckets are cumulative), the count being the +Inf bucket."""
    fields = {_text(field): _text(value) for field, value in raw.items()}
    if not stored.is_histogram:
        family = CounterMetricFamily(stored.name, stored.help, labels=stored.labels)
        values = {
            tuple(field.split(catalogue.SEPARATOR)) if stored.labels else (): value for field, value in fields.items()
        }
        for known in stored.known:
            values.setdefault(known, "0")
        for labels, value in sorted(values.items()):
            family.add_metric(list(labels), float(value))
        return family
    histogram = HistogramMetricFamily(stored.name, stored.help, labels=stored.labels)
    series: dict[str, tuple[dict[str, float], float]] = {}
    for field, value in fields.items():
        prefix, _, part = field.rpartition(catalogue.BUCKET_MARK)
        counts, total = series.get(prefix, ({}, 0.0))
        if part == catalogue.SUM:
            total = float(value)
        else:
            counts[part] = counts.get(part, 0.0) + float(value)
        series[prefix] = (counts, total)
    for known in stored.known if stored.labels else [()]:
        series.setdefault(stored.field(known), ({}, 0.0))
    bounds = [catalogue.format_bound(bound) for bound in stored.buckets] + ["+Inf"]
    for prefix, (counts, total) in sorted(series.items()):
        running, cumulative = 0.0, []
        for bound in bounds:
            running += counts.get(bound, 0.0)
            cumulative.append((bound, running))
        histogram.add_metric(prefix.split(catalogue.SEPARATOR) if stored.labels else [], cumulative, total)
    return histogram


class _Stored(Collector):
    """The stored metrics as read at one scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


router = APIRouter(tags=["ops"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(request: Request) -> Response:
    """Prometheus metrics of the whole deployment: every process's counters and histograms, queue and stream gauges."""
    state = request.app.state
    registry: IngestMetrics = state.metrics
    families = await registry.refresh(state.redis, [state.settings.queue_name, state.settings.webhook_queue_name])
    stored = CollectorRegistry(auto_describe=False)
    stored.register(_Stored(families))
    body = generate_latest(stored) + generate_latest(registry.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
