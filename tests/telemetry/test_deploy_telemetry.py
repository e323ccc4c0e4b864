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
from tests.telemetry.scrape import parse

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
def exported(r: redis.Redis, redis_url: str) -> Iterator[set[str]]:
    """Sample names of a real scrape of a fresh deployment, with both consumer groups made and one request served."""
    r.xgroup_create(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP, id="0", mkstream=True)
    r.xgroup_create(keys.ALERTS_STREAM, keys.WEBHOOKS_GROUP, id="0", mkstream=True)
    r.xadd(keys.EVENTS_STREAM, {"kind": "attack"})
    r.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: "{}"})
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        assert client.get("/healthz").status_code in (200, 503)
        response = client.get("/metrics")
        assert response.status_code == 200
        yield parse(response.text).names()


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
