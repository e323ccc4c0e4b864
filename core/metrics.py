"""Counters and histograms kept in Redis, so every process of every kind adds into one figure.

Each metric is a Redis hash (`keys.metric(name)`): a field per label set holds a counter; a histogram
has a field per label set and bucket (the observations that fell in that bucket alone, not the
cumulative count) and one for the sum. A process adds into a `Tally` in memory and sends it as HINCRBY
commands beside a Redis call it makes anyway; the API renders the hashes at `/metrics`
(docs/telemetry.md says why this design and what it costs).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from core import keys
from schemas.events import EventKind

SEPARATOR = "|"
"""Between the label values of a field."""

BUCKET_MARK = ";"
"""Between a histogram field's label values and its bucket bound (or `sum`)."""

SUM = "sum"


@dataclass(frozen=True)
class Metric:
    """One stored metric: a counter, or a histogram when it has buckets (in seconds)."""

    name: str
    help: str
    writer: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()
    known: tuple[tuple[str, ...], ...] = ()
    """Label values shown as 0 before anything is counted, so rate() and alert rules see the series."""

    @property
    def key(self) -> str:
        return keys.metric(self.name)

    @property
    def is_histogram(self) -> bool:
        return bool(self.buckets)

    def field(self, values: Sequence[str]) -> str:
        """The hash field of a label set (a counter's field; a histogram's prefix)."""
        if len(values) != len(self.labels):
            raise ValueError(f"{self.name} takes labels {self.labels}, got {tuple(values)}")
        return SEPARATOR.join(_clean(value) for value in values)

    def bucket_field(self, seconds: float, values: Sequence[str] = ()) -> str:
        """The field of the one bucket an observation falls in: the smallest bound not below it."""
        index = bisect.bisect_left(self.buckets, seconds)
        bound = format_bound(self.buckets[index]) if index < len(self.buckets) else "+Inf"
        return f"{self.field(values)}{BUCKET_MARK}{bound}"

    def sum_field(self, values: Sequence[str] = ()) -> str:
        return f"{self.field(values)}{BUCKET_MARK}{SUM}"


def _clean(value: str) -> str:
    """Label values are ours (kinds, outcomes, route templates); a separator in one must not split it."""
    return value.replace(SEPARATOR, "_").replace(BUCKET_MARK, "_")


def format_bound(bound: float) -> str:
    """A bucket bound as Prometheus prints `le` (0.005, 1.0, +Inf)."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


FAST_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Extraction of one report, and HTTP requests: most take a few milliseconds."""

SLOW_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
"""An RQ job (a batch of reports that may stay open for newcomers), report to alert (group wait 0.5 s)."""

REPORT_OUTCOMES = ("done", "failed", "skipped")
ATTEMPT_OUTCOMES = ("delivered", "retry", "failed", "gone", "cancelled")
ALERT_KINDS = (
    "control_changed",
    "control_baseline",
    "superseded",
    "civilian_threshold",
    "civilian_change",
    "resolved",
)

REPORTS_INGESTED = Metric(
    "sitrep_reports_ingested_total",
    "Reports the API took (queued, duplicate: per report) or turned away (rejected: a POST answered 4xx;"
    " paused: 503 from admission control; per request).",
    "api",
    ("outcome",),
    known=(("queued",), ("duplicate",), ("rejected",), ("paused",)),
)
HTTP_DURATION = Metric(
    "sitrep_http_request_duration_seconds",
    "HTTP requests by method, route template and status; the time to the end of the response body.",
    "api",
    ("method", "route", "status"),
    FAST_SECONDS,
)
REPORTS_PROCESSED = Metric(
    "sitrep_reports_processed_total",
    "Reports a worker settled: done (events merged), failed (unreadable, extractor error, time budget, or its"
    " job failed for good), skipped (already settled by another run).",
    "worker",
    ("outcome",),
    known=tuple((outcome,) for outcome in REPORT_OUTCOMES),
)
EVENTS_EXTRACTED = Metric(
    "sitrep_events_extracted_total",
    "Events the extractor found in reports, by kind (before deduplication).",
    "worker",
    ("kind",),
    known=tuple((kind.value,) for kind in EventKind),
)
EXTRACTION_DURATION = Metric(
    "sitrep_extraction_duration_seconds",
    "Extraction of one report (parse, extract, merge items; not the merge in Redis).",
    "worker",
    buckets=FAST_SECONDS,
)
JOB_DURATION = Metric(
    "sitrep_job_duration_seconds",
    "RQ jobs run by sitrep workers, from start to return or raise, by job function.",
    "worker",
    ("job",),
    SLOW_SECONDS,
    known=(("process_reports",), ("deliver_webhook",)),
)
WEBHOOK_ATTEMPTS = Metric(
    "sitrep_webhook_attempts_total",
    "Webhook delivery attempts by outcome: delivered (2xx), retry (failed, another attempt scheduled), failed"
    " (failed, no attempt left), gone (410: subscription disabled), cancelled (subscription deleted or disabled).",
    "worker",
    ("outcome",),
    known=tuple((outcome,) for outcome in ATTEMPT_OUTCOMES),
)
DELIVERIES_CREATED = Metric(
    "sitrep_webhook_deliveries_created_total",
    "Webhook deliveries the dispatcher created (one per alert and matching subscription).",
    "dispatcher",
    known=((),),
)
ALERTS_SEEN = Metric(
    "sitrep_dispatcher_alerts_total",
    "Alerts the dispatcher read from the alert log and acknowledged.",
    "dispatcher",
    known=((),),
)
ALERTS_EMITTED = Metric(
    "sitrep_alerts_total",
    "Alerts emitted (each fingerprint once), by kind (the CloudEvents type without `sitrep.alert.`).",
    "notifier",
    ("kind",),
    known=tuple((kind,) for kind in ALERT_KINDS),
)
REPORT_TO_ALERT = Metric(
    "sitrep_report_to_alert_seconds",
    "From the API storing the newest report an alert cites to the alert's emission (group wait included).",
    "notifier",
    buckets=SLOW_SECONDS,
)

CATALOGUE = (
    REPORTS_INGESTED,
    HTTP_DURATION,
    REPORTS_PROCESSED,
    EVENTS_EXTRACTED,
    EXTRACTION_DURATION,
    JOB_DURATION,
    WEBHOOK_ATTEMPTS,
    DELIVERIES_CREATED,
    ALERTS_SEEN,
    ALERTS_EMITTED,
    REPORT_TO_ALERT,
)
"""Every stored metric; /metrics renders these."""


Command = tuple[str, str, str, int | str]


class Tally:
    """What one process counted since it last sent it: (key, field) -> amount. Thread-safe; `take` empties it.

    On a worker's hot path (a few calls per report), so the fields of each label set are built once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._sums: dict[tuple[str, str], float] = {}

    def add(self, metric: Metric, *values: str, amount: int = 1) -> None:
        if not amount:
            return
        slot = _counter_slot(metric, values)
        with self._lock:
            self._counts[slot] = self._counts.get(slot, 0) + amount

    def observe(self, metric: Metric, seconds: float, *values: str) -> None:
        bucket, total = _histogram_slots(metric, values, bisect.bisect_left(metric.buckets, seconds))
        with self._lock:
            self._counts[bucket] = self._counts.get(bucket, 0) + 1
            self._sums[total] = self._sums.get(total, 0.0) + seconds

    def __bool__(self) -> bool:
        return bool(self._counts or self._sums)

    def take(self) -> list[Command]:
        """The HINCRBY and HINCRBYFLOAT commands of everything counted, which leaves the tally empty."""
        with self._lock:
            counts, sums = self._counts, self._sums
            self._counts, self._sums = {}, {}
        commands: list[Command] = [("HINCRBY", key, field, amount) for (key, field), amount in counts.items()]
        commands += [("HINCRBYFLOAT", key, field, repr(amount)) for (key, field), amount in sums.items()]
        return commands

    def put_back(self, commands: Sequence[Command]) -> None:
        """Commands that could not be sent are counted again, to go with the next ones."""
        with self._lock:
            for verb, key, field, amount in commands:
                if verb == "HINCRBY":
                    self._counts[(key, field)] = self._counts.get((key, field), 0) + int(amount)
                else:
                    self._sums[(key, field)] = self._sums.get((key, field), 0.0) + float(amount)

    def flush(self, connection: redis.Redis) -> None:
        """Send what was counted in one round trip, when there is something; kept for later if Redis fails."""
        commands = self.take()
        if not commands:
            return
        try:
            with connection.pipeline(transaction=False) as pipe:
                for command in commands:
                    pipe.execute_command(*command)  # type: ignore[no-untyped-call]
                pipe.execute()
        except redis.RedisError:
            self.put_back(commands)
            raise


_SLOTS: dict[tuple[str, tuple[str, ...], int], tuple[str, str]] = {}
"""(metric, label values, bucket index; -1 a counter, -2 a histogram's sum) -> (key, field), built on first use.
Label values are bounded (outcomes, kinds, route templates, statuses), so this stays small."""


def _counter_slot(metric: Metric, values: tuple[str, ...]) -> tuple[str, str]:
    slot = _SLOTS.get((metric.name, values, -1))
    if slot is None:
        slot = _SLOTS[(metric.name, values, -1)] = (metric.key, metric.field(values))
    return slot


def _histogram_slots(metric: Metric, values: tuple[str, ...], index: int) -> tuple[tuple[str, str], tuple[str, str]]:
    bucket = _SLOTS.get((metric.name, values, index))
    if bucket is None:
        bound = format_bound(metric.buckets[index]) if index < len(metric.buckets) else "+Inf"
        bucket = _SLOTS[(metric.name, values, index)] = (metric.key, f"{metric.field(values)}{BUCKET_MARK}{bound}")
    total = _SLOTS.get((metric.name, values, -2))
    if total is None:
        total = _SLOTS[(metric.name, values, -2)] = (metric.key, metric.sum_field(values))
    return bucket, total


TALLY = Tally()
"""The tally of a worker process (jobs run in it, or in a work horse that sends it before it exits)."""
