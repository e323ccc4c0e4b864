"""GET/PUT /v1/rules, /v1/silences and the situation API, against the real Redis; rules reach the notifier."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import yaml
from fastapi.testclient import TestClient

from core import keys
from core.settings import IngestSettings
from services.api.app import create_app
from services.notifier.rules import RuleSet, default_rules, stored_form
from tests.notifier.conftest import NotifierFactory, drain, event, kinds, push


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


def test_get_rules_shows_the_file_until_rules_are_put(client: TestClient, r: redis.Redis) -> None:
    body = client.get("/v1/rules").json()
    assert body == default_rules().model_dump(mode="json")
    assert {rule["kind"] for rule in body["rules"]} == {
        "control_changed",
        "control_baseline",
        "civilian_threshold",
        "civilian_change",
    }
    new = {
        "group_wait_seconds": 0,
        "rules": [{"name": "iraq", "kind": "control_changed", "regions": ["Iraq"], "min_sources": 2}],
    }
    response = client.put("/v1/rules", json=new)
    assert response.status_code == 200
    assert client.get("/v1/rules").json()["rules"][0]["regions"] == ["iraq"]
    assert r.get(keys.RULES) is not None


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([{"name": "x", "kind": "control_changed", "min_sources": 0}], "min_sources"),
        ([{"name": "x", "kind": "no_such_kind"}], "kind"),
        ([{"name": "x", "kind": "civilian_threshold", "levels": {"trapped": [100, 10]}}], "levels"),
        ([{"name": "x", "kind": "civilian_threshold", "levels": {"goats": [1]}}], "goats"),
        ([{"name": "x", "kind": "civilian_change"}], "percent"),
        ([{"name": "x", "kind": "control_changed"}, {"name": "x", "kind": "control_changed"}], "unique"),
        ([{"name": "x y", "kind": "control_changed"}], "name"),
    ],
)
def test_bad_rules_get_422_and_change_nothing(client: TestClient, r: redis.Redis, rules: object, field: str) -> None:
    response = client.put("/v1/rules", json={"rules": rules})
    assert response.status_code == 422
    assert field in response.text
    assert r.get(keys.RULES) is None
    assert client.put("/v1/rules", json={"group_wait_seconds": -1}).status_code == 422


def test_silences_are_created_listed_and_deleted(client: TestClient, r: redis.Redis) -> None:
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    created = client.post("/v1/silences", json={"place": "Raqqa", "until": until, "comment": "known"})
    assert created.status_code == 201
    silence = created.json()
    assert silence["place"] == "raqqa" and silence["id"].startswith("s-")
    expired = {"id": "s-old", "rule": "control", "until": "2020-01-01T00:00:00Z", "created_at": "2019-01-01T00:00:00Z"}
    r.hset(keys.SILENCES, "s-old", json.dumps(expired))
    assert [item["id"] for item in client.get("/v1/silences").json()] == [silence["id"]]
    assert not r.hexists(keys.SILENCES, "s-old")
    assert client.post("/v1/silences", json={"until": until}).status_code == 422
    assert client.post("/v1/silences", json={"rule": "x", "until": "2001-01-01T00:00:00Z"}).status_code == 422
    assert client.post("/v1/silences", json={"rule": "x", "until": "tomorrow"}).status_code == 422
    assert client.delete(f"/v1/silences/{silence['id']}").status_code == 204
    assert client.delete(f"/v1/silences/{silence['id']}").status_code == 404
    assert client.get("/v1/silences").json() == []


def test_situation_of_a_parent_shows_its_children(
    client: TestClient, r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    notifier = make_notifier()
    push(r, event("control_change", "raqqa/al-nahda", "sdf", "islamic-state"), "2017-10-14T15:00:00Z")
    push(r, event("civilian_count", "raqqa", category="trapped", count=4000), "2017-10-14T15:00:00Z")
    drain(notifier)
    raqqa = client.get("/v1/situation/Raqqa").json()
    assert raqqa["counts"]["trapped"]["min"] == 4000
    assert [(c["place_id"], c["controller"]) for c in raqqa["children"]] == [("raqqa/al-nahda", "sdf")]
    nahda = client.get("/v1/situation/raqqa/al-nahda").json()
    assert nahda["control"]["controller_name"] == "SDF" and nahda["children"] == []
    assert client.get("/v1/situation/nowhere").status_code == 404
    assert {item["place_id"] for item in client.get("/v1/situation").json()} == {"raqqa", "raqqa/al-nahda"}


def test_rules_put_through_the_api_reach_a_running_notifier(
    client: TestClient, r: redis.Redis, make_notifier: NotifierFactory
) -> None:
    notifier = make_notifier()
    client.put(
        "/v1/rules",
        json={"group_wait_seconds": 0, "rules": [{"name": "iraq", "kind": "control_changed", "regions": ["iraq"]}]},
    )
    notifier.reload_rules()
    push(r, event("control_change", "palmyra", "islamic-state"), "2017-01-01T08:00:00Z")
    push(r, event("control_change", "mosul", "islamic-state"), "2017-01-01T09:00:00Z")
    drain(notifier)
    assert kinds(r) == [("control_changed", "mosul")]


def test_the_rules_file_is_reloaded_when_it_changes_but_never_clobbers_an_api_edit(
    r: redis.Redis, make_notifier: NotifierFactory, tmp_path: Path
) -> None:
    notifier = make_notifier(rules=[{"name": "syria", "kind": "control_changed", "regions": ["syria"]}])
    assert [rule.name for rule in notifier.reload_rules().rules] == ["syria"]
    path = tmp_path / "rules-n1.yaml"
    document = yaml.safe_load(path.read_text())
    document["rules"][0]["name"] = "syria-edited"
    path.write_text(yaml.safe_dump(document))
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert [rule.name for rule in notifier.reload_rules().rules] == ["syria-edited"]
    bad = path.read_text() + "\n  - {kind: control_changed}\n"
    path.write_text(bad.replace("rules:", "rules: 7\nignored:"))
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    assert [rule.name for rule in notifier.reload_rules().rules] == ["syria-edited"]  # a bad file is ignored
    # An API edit is newer than the file: a restart with the unchanged file keeps what the API put.
    r.mset(stored_form(RuleSet(rules=[]), time.time() + 60))
    restarted = make_notifier(name="n1-restarted")
    assert restarted.reload_rules().rules == []
    # Editing the file afterwards makes the file the newer edit again.
    restarted_path = tmp_path / "rules-n1-restarted.yaml"
    os.utime(restarted_path, (time.time() + 120, time.time() + 120))
    assert [rule.name for rule in restarted.reload_rules().rules] == ["control", "civilians"]


def test_a_missing_rules_file_keeps_the_rules_in_redis(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier(rules=[{"name": "only", "kind": "control_changed"}])
    assert [rule.name for rule in notifier.reload_rules().rules] == ["only"]
    notifier._rules_source.path = Path("/nonexistent/rules.yaml")
    assert [rule.name for rule in notifier.reload_rules().rules] == ["only"]


def test_rules_can_be_put_as_the_yaml_of_the_rules_file(client: TestClient, r: redis.Redis) -> None:
    text = "group_wait_seconds: 0\nrules:\n  - {name: raqqa, kind: control_changed, places: [raqqa]}\n"
    response = client.put("/v1/rules", content=text, headers={"content-type": "application/yaml"})
    assert response.status_code == 200 and response.json()["rules"][0]["places"] == ["raqqa"]
    yaml_bad = client.put("/v1/rules", content="rules: [", headers={"content-type": "application/yaml"})
    assert yaml_bad.status_code == 422 and "unreadable rules" in yaml_bad.text
    field_bad = client.put("/v1/rules", content="rules: 7", headers={"content-type": "application/yaml"})
    assert field_bad.status_code == 422 and field_bad.json()["errors"][0]["loc"] == ["rules"]
    assert client.put("/v1/rules", content="{", headers={"content-type": "application/json"}).status_code == 422
    assert client.put("/v1/rules", content="x", headers={"content-type": "text/plain"}).status_code == 415
    assert client.get("/v1/rules").json()["rules"][0]["name"] == "raqqa"
