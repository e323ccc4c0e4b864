"""The stored metrics on the suite's Redis: a tally sent, then rendered as Prometheus renders it."""

from __future__ import annotations

import asyncio

import pytest
import redis
import redis.asyncio
from prometheus_client import CollectorRegistry, generate_latest
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import metrics
from core.embedded_redis import free_port
from core.metrics import Tally
from services.api.metrics import IngestMetrics, _Stored, render
from tests.conftest import REPO
from tests.telemetry.scrape import Scrape, parse


def scrape_of(r: redis.Redis) -> Scrape:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Stored([render(stored, r.hgetall(stored.key)) for stored in metrics.CATALOGUE]))  # type: ignore[arg-type]
    return parse(generate_latest(registry).decode())


def test_histogram_buckets_are_cumulative_with_count_and_sum(r: redis.Redis) -> None:
    tally = Tally()
    for seconds in (0.0004, 0.003, 0.003, 0.2, 99.0):
        tally.observe(metrics.EXTRACTION_DURATION, seconds)
    tally.flush(r)
    got = scrape_of(r)
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="0.0005") == 1
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="0.0025") == 1
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="0.005") == 3
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="0.25") == 4
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="2.5") == 4
    assert got.value("sitrep_extraction_duration_seconds_bucket", le="+Inf") == 5
    assert got.value("sitrep_extraction_duration_seconds_count") == 5
    assert got.value("sitrep_extraction_duration_seconds_sum") == pytest.approx(99.2064)


def test_two_tallies_add_into_one_figure_and_known_labels_start_at_zero(r: redis.Redis) -> None:
    first, second = Tally(), Tally()
    first.add(metrics.EVENTS_EXTRACTED, "attack", amount=2)
    second.add(metrics.EVENTS_EXTRACTED, "attack")
    second.observe(metrics.JOB_DURATION, 1.5, "process_reports")
    first.flush(r)
    second.flush(r)
    got = scrape_of(r)
    assert got.value("sitrep_events_extracted_total", kind="attack") == 3
    assert got.value("sitrep_events_extracted_total", kind="shelling") == 0
    assert got.value("sitrep_job_duration_seconds_count", function="process_reports") == 1
    assert got.value("sitrep_job_duration_seconds_count", function="deliver_webhook") == 0
    assert got.value("sitrep_alerts_total", kind="control_changed") == 0
    assert got.value("sitrep_report_to_alert_seconds_count") == 0


def test_a_tally_that_cannot_be_sent_keeps_its_counts(r: redis.Redis) -> None:
    tally = Tally()
    tally.add(metrics.REPORTS_PROCESSED, "done", amount=4)
    tally.observe(metrics.REPORT_TO_ALERT, 0.7)
    nowhere = redis.Redis(port=free_port(), socket_connect_timeout=0.5)
    with pytest.raises(redis.ConnectionError):
        tally.flush(nowhere)
    assert tally
    tally.flush(r)
    assert not tally
    got = scrape_of(r)
    assert got.value("sitrep_reports_processed_total", outcome="done") == 4
    assert got.value("sitrep_report_to_alert_seconds_bucket", le="1.0") == 1


def test_label_values_cannot_split_a_field() -> None:
    field = metrics.HTTP_DURATION.bucket_field(0.01, ["GET", "/a|b;c", "200"])
    assert field == "GET|/a_b_c|200;0.01"
    with pytest.raises(ValueError, match="takes labels"):
        metrics.REPORTS_PROCESSED.field(["done", "extra"])


def test_docs_name_every_metric_with_its_labels_and_who_counts_it() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in (REPO / "docs" / "telemetry.md").read_text().splitlines()
        if line.startswith("| `sitrep_")
    }
    for stored in metrics.CATALOGUE:
        assert stored.name in rows, f"{stored.name} is not in docs/telemetry.md"
        counted_by = rows[stored.name].rstrip(" |").rsplit("|", 1)[-1].lower()
        assert stored.writer in counted_by, f"docs/telemetry.md: who counts {stored.name}"
        for label in stored.labels:
            assert f"`{label}`" in rows[stored.name], f"docs/telemetry.md: label {label} of {stored.name}"
    gauges = {family.name for family in IngestMetrics().registry.collect()}
    documented = " ".join(rows)
    assert {name for name in gauges if name not in documented} == set()


def _stalled_writes(r: redis.Redis) -> None:
    """Redis holds every write command for a second: a client with a short timeout gives up after sending."""
    r.client_pause(1000, all=False)


def test_counts_already_sent_when_redis_fails_are_not_sent_again(r: redis.Redis, redis_url: str) -> None:
    """A timeout after the commands were written: Redis may apply them, so putting them back could count twice."""
    tally = Tally()
    tally.add(metrics.REPORTS_PROCESSED, "skipped", amount=3)
    impatient = redis.Redis.from_url(redis_url, socket_timeout=0.2, retry=Retry(NoBackoff(), 0))
    impatient.ping()
    _stalled_writes(r)
    with pytest.raises(redis.TimeoutError):
        tally.flush(impatient)
    assert not tally
    r.client_unpause()
    tally.flush(r)
    assert int(r.hget(metrics.REPORTS_PROCESSED.key, "skipped") or 0) <= 3


def test_the_api_keeps_counts_it_could_not_send_and_drops_those_it_sent(r: redis.Redis, redis_url: str) -> None:
    """The API's flush and scrape follow the same policy as a worker's tally."""

    async def scenario() -> None:
        registry = IngestMetrics()
        registry.count(["queued", "queued"])
        nowhere = redis.asyncio.Redis(port=free_port(), socket_connect_timeout=0.5, retry=AsyncRetry(NoBackoff(), 0))
        with pytest.raises(redis.ConnectionError):
            await registry.flush(nowhere)
        with pytest.raises(redis.ConnectionError):
            await registry.refresh(nowhere, ["sitrep"])
        assert registry.tally  # nothing was sent: kept
        impatient = redis.asyncio.Redis.from_url(redis_url, socket_timeout=0.2, retry=AsyncRetry(NoBackoff(), 0))
        await impatient.ping()
        _stalled_writes(r)
        with pytest.raises(redis.TimeoutError):
            await registry.flush(impatient)
        assert not registry.tally  # written before the failure: not sent again
        registry.count(["duplicate"])
        r.client_unpause()
        await impatient.aclose()
        impatient = redis.asyncio.Redis.from_url(redis_url, socket_timeout=0.2, retry=AsyncRetry(NoBackoff(), 0))
        _stalled_writes(r)
        with pytest.raises(redis.TimeoutError):
            await registry.refresh(impatient, ["sitrep"])
        assert not registry.tally
        r.client_unpause()
        await impatient.aclose()
        await nowhere.aclose()

    asyncio.run(scenario())
