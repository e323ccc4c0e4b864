"""`sitrep keys`, the API's refusal to start open beyond loopback, and clients sending a key: real processes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import psutil
import redis

from core import api_keys, keys
from core.embedded_redis import free_port
from tests.conftest import REPO, fixture_reports, sitrep_command
from tests.delivery.conftest import log_alert, make_alert
from tests.helpers import start, stop_all, wait_for_line, wait_until


def sitrep(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sitrep_command(*args), env=env, input=stdin, capture_output=True, text=True, timeout=60, cwd=REPO
    )


def test_keys_create_list_revoke(r: redis.Redis, child_env: dict[str, str]) -> None:
    made = sitrep("keys", "create", "--name", "acme", "--scope", "ingest", "--scope", "read", env=child_env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sitrep_") and "shown once" in made.stderr and key not in made.stderr
    (record,) = api_keys.list_active(r)
    assert (record.name, record.scopes) == ("acme", ["ingest", "read"])
    listed = sitrep("keys", "list", env=child_env)
    assert record.id in listed.stdout and "acme" in listed.stdout and key not in listed.stdout
    assert sitrep("keys", "revoke", record.id, env=child_env).returncode == 0
    assert api_keys.list_active(r) == []
    again = sitrep("keys", "revoke", "000000000000", env=child_env)
    assert again.returncode == 2 and again.stderr.strip() == "sitrep keys: no API key '000000000000'"
    bad = sitrep("keys", "create", "--name", "Not Valid", "--scope", "read", env=child_env)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_keys_create_takes_a_rate(r: redis.Redis, child_env: dict[str, str]) -> None:
    made = sitrep("keys", "create", "--name", "slow", "--scope", "ingest", "--rate", "2.5", env=child_env)
    assert made.returncode == 0 and "2.5 requests/s" in made.stderr, made.stderr
    (record,) = api_keys.list_active(r)
    assert record.rate_per_second == 2.5 and "2.5/s" in sitrep("keys", "list", env=child_env).stdout
    bad = sitrep("keys", "create", "--name", "x", "--scope", "read", "--rate", "-1", env=child_env)
    assert bad.returncode == 2 and "rate_per_second" in bad.stderr and "Traceback" not in bad.stderr


def test_api_beyond_loopback_without_a_key_refuses_to_start(r: redis.Redis, child_env: dict[str, str]) -> None:
    refused = sitrep("api", "--host", "0.0.0.0", "--port", str(free_port()), env=child_env)
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("sitrep api: refusing to serve on 0.0.0.0 with no API key") and "--insecure-open" in line


def test_api_told_it_is_open_says_so_loudly(r: redis.Redis, child_env: dict[str, str]) -> None:
    port = free_port()
    process = start(["api", "--host", "0.0.0.0", "--port", str(port), "--insecure-open"], child_env)
    try:
        seen = wait_for_line(process, "Application startup complete")
        assert any("THE API IS OPEN TO ANYONE" in line for line in seen)
        assert httpx.get(f"http://127.0.0.1:{port}/v1/subscriptions").status_code == 200
    finally:
        stop_all([process])


def test_an_open_api_published_on_the_hosts_loopback_answers_only_local_names(
    r: redis.Redis, child_env: dict[str, str]
) -> None:
    """The compose file's case: bound to 0.0.0.0 in a container, published on the host's 127.0.0.1. A page
    whose name is repointed to 127.0.0.1 (DNS rebinding) must not reach the open admin routes."""
    port = free_port()
    env = child_env | {"SITREP_INSECURE_OPEN": "true", "SITREP_LOCAL_HOSTS_ONLY": "true"}
    process = start(["api", "--host", "0.0.0.0", "--port", str(port)], env)
    try:
        wait_for_line(process, "Application startup complete")
        url = f"http://127.0.0.1:{port}/v1/subscriptions"
        assert httpx.get(url).status_code == 200
        assert httpx.get(url, headers={"Host": f"localhost:{port}"}).status_code == 200
        assert httpx.get(url, headers={"Host": f"attacker.example:{port}"}).status_code == 403
    finally:
        stop_all([process])


def test_api_beyond_loopback_with_a_key_starts_and_post_sends_the_key(
    r: redis.Redis, child_env: dict[str, str]
) -> None:
    ingest = api_keys.create(r, api_keys.ApiKeyIn(name="feed", scopes=["ingest"])).key
    port = free_port()
    process = start(["api", "--host", "0.0.0.0", "--port", str(port)], child_env)
    try:
        seen = wait_for_line(process, "Application startup complete")
        assert not any("OPEN TO ANYONE" in line for line in seen)
        url = f"http://127.0.0.1:{port}"
        report = json.dumps(fixture_reports()[0])
        refused = sitrep("post", "-", "--url", url, env=child_env, stdin=report)
        assert refused.returncode == 2 and "401" in refused.stderr
        posted = sitrep("post", "-", "--url", url, env=child_env | {"SITREP_API_KEY": ingest}, stdin=report)
        assert posted.returncode == 0, posted.stderr
        assert json.loads(posted.stdout)["id"] == "feed:" + fixture_reports()[0]["id"]
        flag = sitrep("post", "-", "--url", url, "--key", ingest, env=child_env, stdin=report)
        assert json.loads(flag.stdout)["status"] == "duplicate"
        log_alert(r, make_alert(1))
        reader = api_keys.create(r, api_keys.ApiKeyIn(name="desk", scopes=["read"])).key
        watch = ("subscribe", "--url", url, "--since", "0", "--count", "1", "--json")
        unread = sitrep(*watch, env=child_env)
        assert unread.returncode == 2 and "HTTP 401" in unread.stderr
        read = sitrep(*watch, "--key", reader, env=child_env)
        assert read.returncode == 0 and json.loads(read.stdout)["type"] == "sitrep.alert.control_changed"
        wrong = sitrep(*watch, env=child_env | {"SITREP_API_KEY": ingest})
        assert wrong.returncode == 2 and "HTTP 403" in wrong.stderr
        export = ("export", "--url", url, "--format", "jsonl")
        unexported = sitrep(*export, env=child_env)
        assert unexported.returncode == 2 and "HTTP 401" in unexported.stderr
        assert sitrep(*export, "--key", reader, env=child_env).returncode == 0
        exported = sitrep(*export, env=child_env | {"SITREP_API_KEY": reader})
        assert exported.returncode == 0, exported.stderr
        assert ingest not in "".join(seen)
    finally:
        stop_all([process])


def test_run_beyond_loopback_without_a_key_stops_its_redis_and_says_why(
    child_env: dict[str, str], tmp_path: Path
) -> None:
    env = {name: value for name, value in child_env.items() if name != "REDIS_URL"}
    refused = sitrep("run", "--host", "0.0.0.0", "--port", str(free_port()), "--data-dir", str(tmp_path), env=env)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("sitrep run: refusing to serve on 0.0.0.0")
    assert "Traceback" not in refused.stderr
    assert (tmp_path / "redis" / "redis.log").exists()  # it did start one
    assert not _redis_servers_in(tmp_path)  # other test runs' servers on this machine do not count


def _redis_servers_in(folder: Path) -> list[int]:
    """redis-servers whose working directory or command line is in `folder` (where `run` put its own)."""
    found = []
    for process in psutil.process_iter(["name", "cwd", "cmdline"]):
        if "redis-server" not in (process.info["name"] or ""):
            continue
        where = " ".join([process.info["cwd"] or "", *(process.info["cmdline"] or [])])
        if str(folder) in where:
            found.append(process.pid)
    return found


def _answers(base: str) -> bool:
    """Whether the API answers yet: uvicorn binds its socket just after "Application startup complete"."""
    try:
        return httpx.get(f"{base}/livez", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_sitrep_post_waits_out_a_rate_limit(r: redis.Redis, child_env: dict[str, str]) -> None:
    """Three batch requests with a key allowed one request every two seconds (bursts of one): the second and
    third are refused with 429 and sent again after their Retry-After, and every report is taken."""
    key = api_keys.create(r, api_keys.ApiKeyIn(name="slow", scopes=["ingest"], rate_per_second=0.5)).key
    port = free_port()
    api = start(["api", "--port", str(port)], {**child_env, "SITREP_RATE_LIMIT_BURST_SECONDS": "1"})
    try:
        wait_for_line(api, "Application startup complete")
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), timeout_seconds=10, what="the API's socket")
        reports = [dict(fixture_reports()[0], id=f"many-{n}") for n in range(2001)]
        lines = "\n".join(json.dumps(report) for report in reports)
        posted = sitrep("post", "-", "--url", f"http://127.0.0.1:{port}", "--key", key, env=child_env, stdin=lines)
    finally:
        stop_all([api])
    assert posted.returncode == 0, posted.stderr
    assert posted.stderr.count("HTTP 429") >= 2 and "sending again in 2 s" in posted.stderr
    assert len(posted.stdout.splitlines()) == 2001
    assert r.exists(keys.report("slow:many-2000"))
