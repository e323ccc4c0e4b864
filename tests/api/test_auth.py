"""API keys and scopes against the real Redis: every route the app serves, without a key, with each
wrong scope and with a revoked key; open mode, namespaces, media types, body caps, CORS."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from core import api_keys, keys
from core.api_keys import ApiKeyIn, NewApiKey
from core.settings import IngestSettings, WorkerSettings
from services.api import access
from services.api.app import create_app
from tests.conftest import fixture_reports
from tests.helpers import wait_until
from workers.processing import process_batch


def _routes() -> list[tuple[str, str]]:
    return access.served(create_app(IngestSettings(redis_url="redis://127.0.0.1:1/0")))


ROUTES = _routes()
GUARDED = [(method, path) for method, path in ROUTES if access.POLICY[(method, path)].scope is not None]
PUBLIC = [(method, path) for method, path in ROUTES if access.POLICY[(method, path)].scope is None]


def concrete(path: str) -> str:
    """A URL for a route template: each parameter filled with a plausible value."""
    return re.sub(r"\{[^}]+\}", "raqqa", path)


def call(client: TestClient, method: str, path: str, key: str | None = None, **extra: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if access.POLICY[(method, path)].media_types:
        extra.setdefault("json", {})
    if path == "/v1/alerts/stream":  # a bad position: answered (422) once past the guard, not streamed
        extra.setdefault("params", {"since": "not-an-id"})
    return client.request(method, concrete(path), headers=headers, **extra)


def make_key(r: redis.Redis, *scopes: api_keys.Scope, name: str = "tester") -> NewApiKey:
    return api_keys.create(r, ApiKeyIn(name=name, scopes=list(scopes)))


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        yield test_client


def test_every_route_the_app_serves_has_a_declared_access() -> None:
    assert len(ROUTES) >= 30 and access.unguarded(create_app(IngestSettings(redis_url="redis://x:1"))) == []
    assert ("POST", "/v1/reports") in GUARDED and ("GET", "/healthz") in PUBLIC
    assert {path for _, path in PUBLIC} <= {
        "/healthz",
        "/livez",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/",  # the board's page and its two files: the page asks for a key, its data routes need `read`
        "/board/board.js",
        "/board/board.css",
    }


def test_an_app_with_an_undeclared_route_is_refused() -> None:
    app = FastAPI()

    @app.get("/v1/backdoor")
    def backdoor() -> dict[str, str]:
        return {}

    with pytest.raises(ValueError, match="GET /v1/backdoor"):
        access.install(app, access.Authenticator(allow_open=False))


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_without_a_key_every_guarded_route_is_401(client: TestClient, r: redis.Redis, method: str, path: str) -> None:
    make_key(r, "admin")
    response = call(client, method, path)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401 and "API key is required" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_a_key_without_the_scope_is_403_on_every_guarded_route(
    client: TestClient, r: redis.Redis, method: str, path: str
) -> None:
    needed = access.POLICY[(method, path)].scope
    others = [scope for scope in ("ingest", "read") if scope != needed]
    for scopes in [[scope] for scope in others] + ([others] if needed == "admin" else []):
        response = call(client, method, path, make_key(r, *scopes).key)
        assert response.status_code == 403, (scopes, response.text)
        assert repr(needed) in response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_a_revoked_or_made_up_key_is_401_and_the_right_scope_passes(
    client: TestClient, r: redis.Redis, method: str, path: str
) -> None:
    needed = access.POLICY[(method, path)].scope
    assert needed is not None
    good = make_key(r, needed)
    passed = call(client, method, path, good.key)
    assert passed.status_code not in (401, 403, 413, 415), passed.text
    client.delete(f"/v1/keys/{good.id}", headers={"Authorization": f"Bearer {make_key(r, 'admin').key}"})
    revoked = call(client, method, path, good.key)
    assert revoked.status_code == 401 and revoked.json()["detail"] == "this API key was revoked"
    forged = good.key[:-4] + ("AAAA" if not good.key.endswith("AAAA") else "BBBB")
    assert call(client, method, path, forged).json()["detail"] == "unknown API key"
    assert call(client, method, path, "not-a-key").status_code == 401


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_probes_and_docs_need_no_key(client: TestClient, r: redis.Redis, method: str, path: str) -> None:
    make_key(r, "admin")
    assert client.request(method, concrete(path)).status_code == 200


def test_admin_may_do_everything_and_x_api_key_works_too(client: TestClient, r: redis.Redis) -> None:
    admin = make_key(r, "admin")
    for header in ({"Authorization": f"bearer {admin.key}"}, {"X-API-Key": admin.key}):
        assert client.get("/v1/events", headers=header).status_code == 200
        assert client.post("/v1/reports", json=fixture_reports()[0], headers=header).status_code == 202


def test_open_on_loopback_until_the_first_key_then_closed(client: TestClient, r: redis.Redis) -> None:
    assert client.get("/v1/subscriptions").status_code == 200  # no key anywhere: open, as the README runs it
    made = client.post("/v1/keys", json={"name": "ops", "scopes": ["admin"]})
    assert made.status_code == 201
    assert client.get("/v1/subscriptions").status_code == 401  # this process forgets at once
    assert client.get("/v1/subscriptions", headers={"Authorization": f"Bearer {made.json()['key']}"}).status_code == 200


def test_an_api_not_allowed_open_refuses_everyone_while_no_key_exists(r: redis.Redis, redis_url: str) -> None:
    with TestClient(create_app(IngestSettings(redis_url=redis_url), allow_open=False)) as closed:
        response = closed.get("/v1/events")
        assert response.status_code == 401 and "none exists yet" in response.json()["detail"]
        assert closed.get("/healthz").status_code == 200


def test_a_key_revoked_by_another_process_stops_working_within_the_cache_time(
    client: TestClient, r: redis.Redis
) -> None:
    key = make_key(r, "read")
    headers = {"Authorization": f"Bearer {key.key}"}
    assert client.get("/v1/events", headers=headers).status_code == 200
    api_keys.revoke(r, key.id)  # as `sitrep keys revoke` does, beside the API
    wait_until(lambda: client.get("/v1/events", headers=headers).status_code == 401, timeout_seconds=3)


def test_redis_holds_only_a_hash_of_each_key(client: TestClient, r: redis.Redis) -> None:
    made = client.post("/v1/keys", json={"name": "feed", "scopes": ["ingest", "read"]}).json()
    dump = b"".join(
        b"".join(k + v for k, v in r.hgetall(name).items()) if r.type(name) == b"hash" else b""
        for name in r.scan_iter()
    )
    assert made["key"].encode() not in dump
    assert api_keys.digest(made["key"]) in dump
    listed = client.get("/v1/keys", headers={"Authorization": f"Bearer {make_key(r, 'admin').key}"}).json()
    assert {item["name"] for item in listed} == {"feed", "tester"} and all("key" not in item for item in listed)


def test_report_ids_live_in_the_senders_namespace(client: TestClient, r: redis.Redis) -> None:
    report = dict(fixture_reports()[0], id="item-1")
    acme, rival = make_key(r, "ingest", name="acme"), make_key(r, "ingest", name="rival")
    first = client.post("/v1/reports", json=report, headers={"Authorization": f"Bearer {acme.key}"}).json()
    squat = dict(report, text=report["text"] + " Another text under the same id.")
    second = client.post("/v1/reports", json=squat, headers={"Authorization": f"Bearer {rival.key}"}).json()
    assert (first["id"], first["status"]) == ("acme:item-1", "queued")
    assert (second["id"], second["status"]) == ("rival:item-1", "queued")
    replacement = make_key(r, "ingest", name="acme")  # a new key of the same holder keeps the namespace
    batch = [dict(report)]
    again = client.post("/v1/reports/batch", json=batch, headers={"Authorization": f"Bearer {replacement.key}"})
    assert again.json()["reports"][0] == {**first, "status": "duplicate", "duplicate_of": "acme:item-1"}
    assert r.exists(keys.report("acme:item-1")) and not r.exists(keys.report("item-1"))
    as_acknowledged = dict(report, id="acme:item-1")  # the id the ack gave, sent back: the same report
    resent = client.post("/v1/reports", json=as_acknowledged, headers={"Authorization": f"Bearer {acme.key}"})
    assert resent.json()["id"] == "acme:item-1" and resent.json()["status"] == "duplicate"


def test_an_ingest_key_may_follow_its_own_status_url_and_nobody_elses(client: TestClient, r: redis.Redis) -> None:
    acme, rival = make_key(r, "ingest", name="acme"), make_key(r, "ingest", name="rival")
    reader = make_key(r, "read", name="desk")
    ack = client.post(
        "/v1/reports", json=dict(fixture_reports()[0], id="own-1"), headers={"Authorization": f"Bearer {acme.key}"}
    ).json()
    queued = client.get(ack["status_url"], headers={"Authorization": f"Bearer {acme.key}"})
    assert queued.status_code == 200 and queued.json()["id"] == "acme:own-1" and queued.json()["status"] == "queued"
    process_batch(r, ["acme:own-1"], WorkerSettings())  # processed, so that it has events to hide
    read_view = client.get(ack["status_url"], headers={"Authorization": f"Bearer {reader.key}"}).json()
    assert read_view["status"] == "done" and read_view["events"], "the report made no events: no test"
    own = client.get(ack["status_url"], headers={"Authorization": f"Bearer {acme.key}"})
    assert own.status_code == 200 and own.json()["status"] == "done"
    assert "events" not in own.json() or own.json()["events"] == []  # the events are the read scope's
    theirs = client.get(ack["status_url"], headers={"Authorization": f"Bearer {rival.key}"})
    assert theirs.status_code == 403 and "'read'" in theirs.json()["detail"]
    # A name that is a prefix of another's ("acme" of "acme-2") does not reach the other's reports.
    longer = make_key(r, "ingest", name="acme-2")
    assert client.get(ack["status_url"], headers={"Authorization": f"Bearer {longer.key}"}).status_code == 403
    assert client.get("/v1/reports", headers={"Authorization": f"Bearer {acme.key}"}).status_code == 403
    assert client.get(ack["status_url"], headers={"Authorization": f"Bearer {reader.key}"}).status_code == 200


def test_open_mode_keeps_ids_as_sent(client: TestClient) -> None:
    assert client.post("/v1/reports", json=dict(fixture_reports()[0], id="plain")).json()["id"] == "plain"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
@pytest.mark.parametrize("path", ["/v1/reports", "/v1/reports/batch", "/v1/silences", "/v1/subscriptions", "/v1/keys"])
def test_posts_take_json_only(client: TestClient, path: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(path, content=b'{"a": 1}', headers=headers)
    assert response.status_code == 415 and "application/json" in response.json()["detail"]


def test_json_with_parameters_and_rules_as_yaml_are_taken(client: TestClient) -> None:
    sent = client.post(
        "/v1/reports",
        content=dict_bytes(fixture_reports()[0]),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert sent.status_code == 202
    yaml_rules = "rules:\n  - name: any\n    kind: control_changed\n"
    assert client.put("/v1/rules", content=yaml_rules, headers={"Content-Type": "application/yaml"}).status_code == 200
    assert client.put("/v1/rules", content=yaml_rules).status_code == 415


def dict_bytes(item: dict[str, Any]) -> bytes:
    import json

    return json.dumps(item).encode()


def test_small_bodies_are_capped_before_parsing(client: TestClient) -> None:
    huge = {"place": "raqqa", "until": (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "comment": "x" * 70_000}
    assert client.post("/v1/silences", json=huge).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        yield b'{"place": "raqqa", "comment": "'
        for _ in range(100):
            yield b"y" * 1000
        yield b'"}'

    streamed = client.post("/v1/silences", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_cors_is_off_by_default_and_follows_the_origin_list(r: redis.Redis, redis_url: str) -> None:
    preflight = {"Origin": "https://board.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as plain:
        answer = plain.options("/v1/reports", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
    settings = IngestSettings(redis_url=redis_url, cors_origins="https://board.example")  # type: ignore[arg-type]
    assert settings.cors_origins == ["https://board.example"]
    with TestClient(create_app(settings)) as cors:
        allowed = cors.options("/v1/reports", headers=preflight | {"Access-Control-Request-Headers": "authorization"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://board.example"
        other = cors.options("/v1/reports", headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_only_the_sse_route_takes_the_key_in_the_query(client: TestClient, r: redis.Redis) -> None:
    key = make_key(r, "read").key
    assert client.get("/v1/events", params={"access_token": key}).status_code == 401
    streamed = client.get("/v1/alerts/stream", params={"access_token": key, "since": "bad"})
    assert streamed.status_code == 422  # past the guard: the position is what is wrong


def test_the_access_log_never_shows_a_key() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/v1/alerts/stream?place=raqqa&access_token=sitrep_abc_secret", "1.1", 200),
        None,
    )
    access.RedactKeys().filter(record)
    assert "secret" not in record.getMessage() and "access_token=REDACTED" in record.getMessage()
    assert "place=raqqa" in record.getMessage()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("api.example", False),
    ],
)
def test_which_binds_are_loopback(host: str, loopback: bool) -> None:
    assert access.is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("published_at", "message"),
    [
        ("0001-01-01T00:00:00Z", "1900 or later"),
        ("1899-12-31T23:59:59Z", "1900 or later"),
        ("2999-01-01T00:00:00Z", "future"),
    ],
)
def test_published_at_outside_a_sane_window_is_a_clear_422(client: TestClient, published_at: str, message: str) -> None:
    response = client.post("/v1/reports", json=dict(fixture_reports()[0], published_at=published_at))
    assert response.status_code == 422
    (problem,) = response.json()["errors"]
    assert problem["loc"] == ["body", "published_at"] and message in problem["msg"]
    skewed = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    assert client.post("/v1/reports", json=dict(fixture_reports()[0], published_at=skewed)).status_code == 202


def test_lists_and_counts_are_bounded(client: TestClient, r: redis.Redis) -> None:
    many_places = {"rules": [{"name": "wide", "kind": "control_changed", "places": ["raqqa"] * 1001}]}
    assert client.put("/v1/rules", json=many_places).status_code == 422
    assert client.get("/v1/alerts/stream", params=[("place", f"p{i}") for i in range(101)]).status_code == 422
    filters = {"place": ["raqqa"] * 101}
    assert (
        client.post("/v1/subscriptions", json={"url": "https://hooks.example/x", "filters": filters}).status_code == 422
    )
    assert client.get("/v1/events", params={"kind": "k" * 101}).status_code == 422
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r.hset(keys.SILENCES, mapping={f"s-{i}": "{}" for i in range(1000)})
    full = client.post("/v1/silences", json={"place": "raqqa", "until": until})
    assert full.status_code == 409 and "1000 silences" in full.json()["detail"]
    r.sadd(keys.SUBSCRIPTIONS_INDEX, *[f"sub-{i}" for i in range(1000)])
    crowded = client.post("/v1/subscriptions", json={"url": "https://hooks.example/x"})
    assert crowded.status_code == 409 and "1000 subscriptions" in crowded.json()["detail"]


def test_the_openapi_document_names_the_key_each_guarded_operation_needs() -> None:
    document = create_app(IngestSettings(redis_url="redis://127.0.0.1:1/0")).openapi()
    for method, path in GUARDED:
        operation = document["paths"][re.sub(r":\w+}", "}", path)][method.lower()]
        assert {"bearer": []} in operation["security"], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_an_api_mounted_under_a_root_path_is_guarded_alike(r: redis.Redis, redis_url: str) -> None:
    """Behind a proxy with `--root-path /sitrep`, uvicorn's path carries the prefix; the router strips it, and
    so must the guard, or no route would match and every request would pass unguarded."""
    import asyncio

    import redis.asyncio

    make_key(r, "admin")
    app = create_app(IngestSettings(redis_url=redis_url))
    (middleware,) = [item for item in app.user_middleware if item.cls is access.Guard]
    reached: list[str] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    guard = access.Guard(route, middleware.kwargs["entries"], access.Authenticator(allow_open=True))
    sent: list[dict[str, Any]] = []

    async def call_once(path: str) -> None:
        client = redis.asyncio.Redis.from_url(redis_url)
        state = type("State", (), {"redis": client})()
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "root_path": "/sitrep",
            "headers": [],
            "query_string": b"",
            "app": type("App", (), {"state": state})(),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await guard(scope, receive, send)
        await client.aclose()

    asyncio.run(call_once("/sitrep/v1/subscriptions"))
    assert sent[0]["status"] == 401 and reached == []
    asyncio.run(call_once("/sitrep/healthz"))
    assert reached == ["/sitrep/healthz"]


def test_an_open_loopback_api_answers_only_requests_addressed_to_localhost(r: redis.Redis, redis_url: str) -> None:
    """A page whose name is repointed to 127.0.0.1 (DNS rebinding) reaches the port, but with its own name."""
    app = create_app(IngestSettings(redis_url=redis_url), local_hosts_only=True)
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        assert local.get("/v1/subscriptions").status_code == 200
        for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
            assert local.get("/v1/subscriptions", headers={"Host": host}).status_code == 200, host
        rebound = local.get("/v1/subscriptions", headers={"Host": "attacker.example:8000"})
        assert rebound.status_code == 403 and "attacker.example" in rebound.json()["detail"]
        assert local.get("/healthz", headers={"Host": "attacker.example"}).status_code == 200
        admin = make_key(r, "admin").key  # with keys, the key decides, whatever the name
        keyed = local.get("/v1/subscriptions", headers={"Host": "api.example", "Authorization": f"Bearer {admin}"})
        assert keyed.status_code == 200


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_a_bodyless_post_claiming_a_form_is_refused(client: TestClient, content_type: str) -> None:
    response = client.post("/v1/subscriptions/sub_x/enable", content=b"", headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert client.post("/v1/subscriptions/sub_x/enable").status_code == 404  # no body, no type: the route answers


@pytest.mark.parametrize(
    "query",
    [
        "access%5Ftoken=sitrep_abc_secret",  # the guard decodes the name, so the log must too
        "access%5ftoken=sitrep_abc_secret",
        "place=raqqa&access_token=sitrep_abc_secret&access%5Ftoken=sitrep_abc_secret",
        "access_token=sitrep_abc_secret;place=raqqa",
    ],
)
def test_the_access_log_hides_a_key_however_its_name_is_spelled(query: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", f"/v1/alerts/stream?{query}", "1.1", 200),
        None,
    )
    access.RedactKeys().filter(record)
    assert "secret" not in record.getMessage()


def test_an_encoded_query_name_is_still_taken_as_the_key_by_the_guard(client: TestClient, r: redis.Redis) -> None:
    """What the log filter must hide: the guard reads the name decoded, as any query parser does."""
    key = make_key(r, "read").key
    response = client.get(f"/v1/alerts/stream?access%5Ftoken={key}&since=bad")
    assert response.status_code == 422


def test_a_route_added_after_the_guard_was_installed_is_refused_not_served(r: redis.Redis, redis_url: str) -> None:
    """install() checks the routes it sees; one added later must not be served without a policy."""
    make_key(r, "admin")
    app = create_app(IngestSettings(redis_url=redis_url))

    @app.get("/v1/late")
    def late() -> dict[str, str]:
        return {"secret": "served"}

    @app.patch("/v1/rules")
    def patch_rules() -> dict[str, str]:
        return {"secret": "served"}

    with TestClient(app) as test_client:
        for method, path in (("GET", "/v1/late"), ("PATCH", "/v1/rules")):
            response = test_client.request(method, path)
            assert response.status_code == 500 and "secret" not in response.text, response.text
            assert response.json()["detail"] == "this route has no access policy; it is refused"
        assert test_client.get("/v1/nowhere").status_code == 404
        assert test_client.get("/v1/rules").status_code == 401


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("localhost:8000", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("localhost:80@evil.example", "localhost:80@evil.example"),
        ("localhost:evil", "localhost:evil"),
        ("[::1]evil.example", "[::1]evil.example"),
        ("", ""),
    ],
)
def test_the_host_header_is_read_strictly(host: str, name: str) -> None:
    assert access._host_name(host) == name
    assert access.is_loopback(access._host_name(host)) is (name in ("localhost", "127.0.0.1", "::1"))


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9;host=api.example"},
        {"X-Real-IP": "203.0.113.9"},
        {"X-Forwarded-Host": "api.example"},
    ],
)
def test_an_open_loopback_api_does_not_answer_through_a_reverse_proxy(
    r: redis.Redis, redis_url: str, header: dict[str, str]
) -> None:
    """A proxy on the same machine forwarding to 127.0.0.1:8000 often sends `Host: 127.0.0.1:8000`: its
    requests come from the network, so the open API must not take them for local use."""
    app = create_app(IngestSettings(redis_url=redis_url), local_hosts_only=True)
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        proxied = local.get("/v1/subscriptions", headers=header)
        assert proxied.status_code == 403 and "proxy" in proxied.json()["detail"], proxied.text
        assert local.get("/v1/subscriptions").status_code == 200
        admin = make_key(r, "admin").key
        keyed = local.get("/v1/subscriptions", headers={**header, "Authorization": f"Bearer {admin}"})
        assert keyed.status_code == 200


def test_a_websocket_route_added_after_the_guard_was_installed_is_closed(r: redis.Redis, redis_url: str) -> None:
    make_key(r, "admin")
    app = create_app(IngestSettings(redis_url=redis_url))

    @app.websocket("/v1/late-socket")
    async def late(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("served")
        await websocket.close()

    with TestClient(app) as test_client:
        with pytest.raises(WebSocketDisconnect) as closed, test_client.websocket_connect("/v1/late-socket") as socket:
            assert socket.receive_text() != "served"
        assert closed.value.code == 1008


@pytest.mark.parametrize(
    "rule",
    [
        {"name": "big", "kind": "control_changed", "min_sources": 36693159073760247808},
        {"name": "big", "kind": "civilian_change", "percent": 50, "min_count": 2**70},
        {"name": "big", "kind": "civilian_threshold", "levels": {"killed": [10, 2**64]}},
    ],
)
def test_a_rule_with_a_number_past_64_bits_is_a_422_not_a_500(client: TestClient, rule: dict[str, Any]) -> None:
    """Found by schemathesis: such a number passed validation and then broke JSON serialisation (500)."""
    response = client.put("/v1/rules", json={"rules": [rule]})
    assert response.status_code == 422, response.text


def test_an_ingest_key_is_not_told_which_other_sender_first_sent_its_text(client: TestClient, r: redis.Redis) -> None:
    report = dict(fixture_reports()[0], id="first")
    acme, rival = make_key(r, "ingest", name="acme"), make_key(r, "ingest", name="rival")
    client.post("/v1/reports", json=report, headers={"Authorization": f"Bearer {acme.key}"})
    copy = dict(report, id="copy")
    one = client.post("/v1/reports", json=copy, headers={"Authorization": f"Bearer {rival.key}"}).json()
    assert (one["id"], one["status"], one["duplicate_of"]) == ("rival:copy", "duplicate", None)
    batch = client.post("/v1/reports/batch", json=[dict(report, id="copy-2")], headers=_bearer(rival)).json()
    assert batch["reports"][0]["duplicate_of"] is None
    own_view = client.get("/v1/reports/rival:copy", headers=_bearer(rival)).json()
    assert own_view["status"] == "duplicate" and own_view["duplicate_of"] is None
    # Its own first copy, and a key that may read every report anyway, still get the id.
    again = client.post("/v1/reports", json=dict(report, id="again"), headers=_bearer(acme)).json()
    assert again["duplicate_of"] == "acme:first"
    both = make_key(r, "ingest", "read", name="desk")
    assert client.post("/v1/reports", json=dict(report, id="d"), headers=_bearer(both)).json()["duplicate_of"] == (
        "acme:first"
    )
    assert client.get("/v1/reports/rival:copy", headers=_bearer(both)).json()["duplicate_of"] == "acme:first"


def _bearer(key: NewApiKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.key}"}
