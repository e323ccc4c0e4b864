"""deploy/'s Grafana dashboard and Prometheus rules ask only for metrics that a real /metrics answer has."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from fastapi.testclient import TestClient

from core import keys
from core.settings import IngestSettings
from services.api.app import create_app
from tests.conftest import REPO
from tests.telemetry.scrape import Scrape, parse

RULES = REPO / "deploy" / "prometheus" / "sitrep-alerts.yaml"
DASHBOARD = REPO / "deploy" / "grafana" / "sitrep-dashboard.json"
_OUR_NAME = re.compile(r"\bsitrep_[a-z0-9_]+\b")


def rule_expressions(path: Path = RULES) -> dict[str, str]:
    doc: Any = yaml.safe_load(path.read_text())
    return {rule["alert"]: rule["expr"] for group in doc["groups"] for rule in group["rules"]}


def dashboard_expressions(path: Path = DASHBOARD) -> dict[str, str]:
    doc: Any = json.loads(path.read_text())
    return {
        f"{panel['title']} {target['refId']}": target["expr"]
        for panel in doc["panels"]
        for target in panel.get("targets", [])
    }


def unknown_names(expressions: dict[str, str], exported: set[str]) -> list[str]:
    """Each metric name of ours an expression uses that the scrape does not have."""
    return [
        f"{where}: {name}"
        for where, expr in expressions.items()
        for name in _OUR_NAME.findall(expr)
        if name not in exported
    ]


@pytest.fixture
def scraped(r: redis.Redis, redis_url: str) -> Iterator[Scrape]:
    """A real scrape of a fresh deployment, with both consumer groups made and one request served."""
    r.xgroup_create(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, id="0", mkstream=True)
    r.xgroup_create(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP, id="0", mkstream=True)
    r.xadd(keys.EVENTS_STREAM, {"kind": "attack"})
    r.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: "{}"})
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        assert client.get("/healthz").status_code in (200, 503)
        response = client.get("/metrics")
        assert response.status_code == 200
        yield parse(response.text)


@pytest.fixture
def exported(scraped: Scrape) -> set[str]:
    """Sample names of a real scrape."""
    return scraped.names()


def label_names(scraped: Scrape) -> dict[str, set[str]]:
    """Each sample name of a scrape -> the label names its samples carry."""
    found: dict[str, set[str]] = {}
    for name, labels, _ in scraped.rows:
        found.setdefault(name, set()).update(labels)
    return found


def test_every_alert_rule_asks_for_metrics_that_are_exported(exported: set[str]) -> None:
    expressions = rule_expressions()
    assert len(expressions) >= 6
    assert unknown_names(expressions, exported) == []


def test_every_dashboard_panel_asks_for_metrics_that_are_exported(exported: set[str]) -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 15
    assert unknown_names(expressions, exported) == []


_SUMMED = re.compile(r"\bsum(?: by \([^)]*\))? \((?:(?:rate|increase|delta|deriv)\()?sitrep_")


def summed_across_targets(expressions: dict[str, str]) -> list[str]:
    """Expressions that sum a series straight across scrape targets: every API replica serves the same
    deployment-wide series, so that would count it once per replica (max first, then sum over labels)."""
    return [where for where, expr in expressions.items() if _SUMMED.search(expr)]


def test_no_expression_sums_the_same_series_from_several_replicas() -> None:
    assert summed_across_targets({**rule_expressions(), **dashboard_expressions()}) == []
    broken = {"doubled": "sum by (outcome) (rate(sitrep_reports_processed_total[5m]))"}
    assert summed_across_targets(broken) == ["doubled"]


def test_the_check_catches_a_misspelt_name(exported: set[str]) -> None:
    broken = {"typo": "rate(sitrep_reports_ingest_total[5m]) > 0", "fine": "sitrep_reports_backlog > 1"}
    assert unknown_names(broken, exported) == ["typo: sitrep_reports_ingest_total"]


def test_the_rules_cover_backlog_lag_failures_deliveries_and_silence() -> None:
    doc: Any = yaml.safe_load(RULES.read_text())
    rules = [rule for group in doc["groups"] for rule in group["rules"]]
    for rule in rules:
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
    used = " ".join(rule["expr"] for rule in rules)
    for name in (
        "sitrep_reports_backlog",
        "sitrep_stream_group_oldest_unread_seconds",
        "sitrep_failed_jobs",
        "sitrep_reports_failed",
        'sitrep_reports_processed_total{outcome="failed"}',
        "sitrep_webhook_attempts_total",
        "sitrep_alerts_total",
    ):
        assert name in used, name


def test_the_dashboard_is_importable_grafana_json() -> None:
    doc: Any = json.loads(DASHBOARD.read_text())
    assert doc["uid"] and doc["title"] and doc["schemaVersion"] >= 30
    assert [item["name"] for item in doc["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [panel["id"] for panel in doc["panels"]]
    assert len(ids) == len(set(ids))
    for panel in doc["panels"]:
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24, panel["title"]


TARGET_LABELS = {"job", "instance"}
"""Labels Prometheus attaches to every series of a target; an exported label of the same name is renamed."""


def test_no_exported_label_clashes_with_prometheus_target_labels(scraped: Scrape) -> None:
    clashes = {name: labels & TARGET_LABELS for name, labels in label_names(scraped).items() if labels & TARGET_LABELS}
    assert clashes == {}
    assert "function" in label_names(scraped)["sitrep_job_duration_seconds_bucket"]


REPLICA_LABELS = {"instance", "pod"}
"""What differs between the same series scraped from two API replicas (target labels, pod annotations)."""

_MAX = re.compile(r"\bmax\s*(?:(by|without)\s*\(([^)]*)\)\s*)?\(")
_SELECTOR = re.compile(r"\b(sitrep_[a-z0-9_]+)\b(?:\{([^}]*)\})?")


def _argument(expr: str, start: int) -> str:
    """The text inside the parenthesis that opens just before `start`."""
    depth = 1
    for i in range(start, len(expr)):
        depth += {"(": 1, ")": -1}.get(expr[i], 0)
        if depth == 0:
            return expr[start:i]
    raise ValueError(f"unbalanced: {expr}")


def max_dropping_labels(expressions: dict[str, str], labels_of: dict[str, set[str]]) -> list[str]:
    """Expressions whose max (meant to fold the replicas of a series into one) also folds series that
    differ in a label of ours: it shows the largest of them, not their total (and mixes histograms)."""
    flagged = []
    for where, expr in expressions.items():
        for found in _MAX.finditer(expr):
            way, listed = found.group(1), {label.strip() for label in (found.group(2) or "").split(",")} - {""}
            if way == "without":
                if not listed <= REPLICA_LABELS:
                    flagged.append(f"{where}: without {sorted(listed - REPLICA_LABELS)}")
                continue
            for selector in _SELECTOR.finditer(_argument(expr, found.end())):
                fixed = {
                    m.split("=")[0].strip()
                    for m in (selector.group(2) or "").split(",")
                    if re.search(r"[^=!~]=[^~]", m)
                }
                dropped = labels_of.get(selector.group(1), set()) - listed - fixed
                if dropped:
                    flagged.append(f"{where}: {selector.group(1)} loses {sorted(dropped)}")
    return flagged


def test_max_across_replicas_keeps_every_label_of_ours(scraped: Scrape) -> None:
    labels_of = label_names(scraped)
    assert max_dropping_labels({**rule_expressions(), **dashboard_expressions()}, labels_of) == []
    broken = {
        "busiest route": "max by (status) (rate(sitrep_http_request_duration_seconds_count[5m]))",
        "mixed statuses": 'histogram_quantile(0.95, max by (le, route) (rate(sitrep_http_request_duration_seconds_bucket{method="GET"}[5m])))',
        "all outcomes": "max(rate(sitrep_reports_processed_total[5m]))",
        "too wide": "sum by (status) (max without (instance, route) (rate(sitrep_http_request_duration_seconds_count[5m])))",
    }
    assert max_dropping_labels(broken, labels_of) == [
        "busiest route: sitrep_http_request_duration_seconds_count loses ['method', 'route']",
        "mixed statuses: sitrep_http_request_duration_seconds_bucket loses ['status']",
        "all outcomes: sitrep_reports_processed_total loses ['outcome']",
        "too wide: without ['route']",
    ]
    fine = {
        "one outcome": 'max(rate(sitrep_reports_processed_total{outcome="failed"}[5m]))',
        "replicas first": "sum by (status) (max without (instance, pod) (rate(sitrep_http_request_duration_seconds_count[5m])))",
    }
    assert max_dropping_labels(fine, labels_of) == []


def test_the_failure_ratio_is_taken_over_settled_reports_and_the_growth_is_said_as_a_rate() -> None:
    """Skipped reports were settled by an earlier run: counting them would dilute the failure ratio of a
    retry storm, the very time it matters. The growth rule's value is deriv()'s, a rate, not the backlog."""
    expressions = rule_expressions()
    failing = expressions["SitrepReportsFailing"]
    numerator, denominator = failing.split(" / ")
    assert 'outcome="failed"' in numerator
    assert 'outcome=~"done|failed"' in denominator and "skipped" not in denominator
    doc: Any = yaml.safe_load(RULES.read_text())
    growing = next(
        rule for group in doc["groups"] for rule in group["rules"] if rule["alert"] == "SitrepBacklogGrowing"
    )
    assert growing["expr"].startswith("max(deriv(")
    assert "a second" in growing["annotations"]["description"]


def test_a_deleted_consumer_group_leaves_the_scrape(r: redis.Redis, redis_url: str) -> None:
    """The API process keeps its gauges between scrapes: a group's series must go with the group."""
    r.xgroup_create(keys.ALERTS_STREAM, "old-dispatcher", id="0", mkstream=True)
    r.xgroup_create(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP, id="0")
    r.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: "{}"})
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:

        def groups() -> set[str]:
            response = client.get("/metrics")
            assert response.status_code == 200
            return {
                labels["group"]
                for labels, _ in parse(response.text).samples("sitrep_stream_group_oldest_unread_seconds")
            }

        assert groups() == {"old-dispatcher", keys.WEBHOOKS_GROUP}
        r.xgroup_destroy(keys.ALERTS_STREAM, "old-dispatcher")
        assert groups() == {keys.WEBHOOKS_GROUP}
