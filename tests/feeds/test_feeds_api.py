"""`/v1/feeds` and `sitrep feeds` on the real Redis: add, list in pages, get, remove; the SSRF guard at
the door; problem details for every refusal."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from core import api_keys, keys
from core.api_keys import ApiKeyIn
from core.settings import FeedSettings, IngestSettings
from services.api.app import create_app
from services.cli.feeds import duration_seconds
from tests.conftest import REPO, sitrep_command


@pytest.fixture
def client(r: redis.Redis, redis_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as test_client:
        test_client.app.state.feed_settings = FeedSettings(redis_url=redis_url)  # type: ignore[attr-defined]
        yield test_client


def allow_private(client: TestClient, redis_url: str) -> None:
    client.app.state.feed_settings = FeedSettings(  # type: ignore[attr-defined]
        redis_url=redis_url, feed_allow_private_addresses=True
    )


def test_a_feed_is_added_listed_shown_and_removed(client: TestClient, r: redis.Redis, redis_url: str) -> None:
    allow_private(client, redis_url)
    answer = client.post("/v1/feeds", json={"url": "http://127.0.0.1:9/wire.rss", "every_seconds": 120})
    assert answer.status_code == 201, answer.text
    feed = answer.json()
    assert answer.headers["location"] == f"/v1/feeds/{feed['id']}"
    assert feed["every_seconds"] == 120 and feed["items_posted"] == 0 and feed["next_poll_at"] is not None
    assert r.zscore(keys.FEEDS_DUE, feed["id"]) is not None

    again = client.post("/v1/feeds", json={"url": "http://127.0.0.1:9/wire.rss"})
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert "followed already" in again.json()["detail"]

    assert client.get(f"/v1/feeds/{feed['id']}").json()["url"] == "http://127.0.0.1:9/wire.rss"
    assert client.delete(f"/v1/feeds/{feed['id']}").status_code == 204
    gone = client.get(f"/v1/feeds/{feed['id']}")
    assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
    assert client.delete(f"/v1/feeds/{feed['id']}").status_code == 404
    assert r.zscore(keys.FEEDS_DUE, feed["id"]) is None


def test_the_list_is_paged_and_bounded(client: TestClient, redis_url: str) -> None:
    allow_private(client, redis_url)
    for n in range(5):
        assert client.post("/v1/feeds", json={"url": f"http://127.0.0.1:9/{n}.rss"}).status_code == 201
    first = client.get("/v1/feeds", params={"limit": 3}).json()
    assert len(first["feeds"]) == 3 and first["next_after"] == first["feeds"][-1]["id"]
    rest = client.get("/v1/feeds", params={"limit": 3, "after": first["next_after"]}).json()
    assert len(rest["feeds"]) == 2 and rest["next_after"] is None
    ids = [feed["id"] for feed in first["feeds"] + rest["feeds"]]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert client.get("/v1/feeds", params={"limit": 100_000}).status_code == 422


def test_loopback_and_private_feeds_are_refused_unless_allowed(client: TestClient) -> None:
    for url in ("http://127.0.0.1:8000/feed", "http://10.1.2.3/rss", "http://169.254.169.254/latest"):
        answer = client.post("/v1/feeds", json={"url": url})
        assert answer.status_code == 422, url
        assert answer.headers["content-type"] == "application/problem+json"
        assert "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES" in answer.text


@pytest.mark.parametrize(
    "body",
    [{"url": "ftp://example.org/feed"}, {"url": "not a url"}, {"url": "https://example.org/f", "every_seconds": 0}],
)
def test_bad_input_is_422(client: TestClient, body: dict[str, object]) -> None:
    answer = client.post("/v1/feeds", json=body)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"


def test_durations_read_as_people_write_them() -> None:
    assert [duration_seconds(text) for text in ("90", "90s", "5m", "2h", "1d", "0.5m")] == [
        90,
        90,
        300,
        7200,
        86400,
        30,
    ]
    with pytest.raises(Exception, match="--every"):
        duration_seconds("often")


def test_the_cli_adds_lists_and_removes(r: redis.Redis, child_env: dict[str, str]) -> None:
    env = {**child_env, "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES": "true"}

    def sitrep(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(sitrep_command("feeds", *args), env=env, capture_output=True, text=True, cwd=REPO)

    added = sitrep("add", "http://127.0.0.1:9/desk.rss", "--every", "10m", "--source", "Desk wire")
    assert added.returncode == 0, added.stderr
    feed_id = added.stdout.strip()
    assert "every 600 s" in added.stderr
    twice = sitrep("add", "http://127.0.0.1:9/desk.rss")
    assert twice.returncode == 2 and "followed already" in twice.stderr and "Traceback" not in twice.stderr
    listed = sitrep("list")
    assert feed_id in listed.stdout and "http://127.0.0.1:9/desk.rss" in listed.stdout
    assert sitrep("remove", feed_id).returncode == 0
    missing = sitrep("remove", feed_id)
    assert missing.returncode == 2 and "no feed" in missing.stderr
    refused = subprocess.run(
        sitrep_command("feeds", "add", "http://127.0.0.1:9/x.rss"),
        env=child_env,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert refused.returncode == 2 and "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES" in refused.stderr


def test_only_an_admin_key_may_ask_for_quiet_delivery(client: TestClient, r: redis.Redis) -> None:
    ingest = api_keys.create(r, ApiKeyIn(name="wire", scopes=["ingest"])).key
    admin = api_keys.create(r, ApiKeyIn(name="ops", scopes=["admin"])).key
    quiet = {
        "source": "Archive desk",
        "published_at": "2017-04-01T09:00:00Z",
        "text": "Some 150 civilians fled Homs overnight, aid workers said.",
        "quiet_delivery": True,
    }
    for path, body in (("/v1/reports", quiet), ("/v1/reports/batch", [quiet])):
        refused = client.post(path, json=body, headers={"Authorization": f"Bearer {ingest}"})
        assert refused.status_code == 403 and "quiet_delivery" in refused.json()["detail"], path
    assert r.get(keys.BACKLOG) is None  # nothing was stored
    loud = {**quiet, "quiet_delivery": None}
    assert client.post("/v1/reports", json=loud, headers={"Authorization": f"Bearer {ingest}"}).status_code == 202
    archived = {**quiet, "text": "Some 160 civilians fled Hama overnight, aid workers said."}
    accepted = client.post("/v1/reports", json=archived, headers={"Authorization": f"Bearer {admin}"})
    assert accepted.status_code == 202 and accepted.json()["status"] == "queued"
    shown = client.get(accepted.json()["status_url"], headers={"Authorization": f"Bearer {admin}"}).json()
    assert shown["quiet_delivery"] is True and shown["status"] == "queued"
