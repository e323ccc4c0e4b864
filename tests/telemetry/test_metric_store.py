"""The stored metrics on the suite's Redis: a tally sent, then rendered as Prometheus renders it."""

from __future__ import annotations

import pytest
import redis
from prometheus_client import CollectorRegistry, generate_latest

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
    assert got.value("sitrep_job_duration_seconds_count", job="process_reports") == 1
    assert got.value("sitrep_job_duration_seconds_count", job="deliver_webhook") == 0
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
