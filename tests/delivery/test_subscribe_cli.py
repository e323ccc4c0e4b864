"""`sitrep subscribe` reads the same alerts, with the same filters, from the API (SSE) or from Redis."""

from __future__ import annotations

import json
import subprocess

import pytest
import redis

from core import keys
from core.embedded_redis import EmbeddedRedis, free_port
from tests.conftest import REPO, sitrep_command
from tests.delivery.conftest import log_alert, make_alert, process_env, start, stop
from tests.helpers import wait_for_line


def subscribe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sitrep_command("subscribe", *args), env=env, capture_output=True, text=True, timeout=60, cwd=REPO
    )


@pytest.fixture
def mixed_log(r: redis.Redis) -> list[str]:
    return [
        log_alert(r, make_alert(0, place="raqqa/al-nahda")),
        log_alert(r, make_alert(1, place="raqqa", kind="civilian_threshold", category="trapped")),
        log_alert(r, make_alert(2, place="palmyra")),
        log_alert(r, make_alert(3, place="raqqa/al-nahda", kind="civilian_threshold", category="trapped")),
        log_alert(r, make_alert(4, place="raqqa", kind="civilian_threshold", category="killed")),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["--place", "raqqa", "--category", "trapped"], [1, 3]),
        (["--kind", "control_changed"], [0, 2]),
        (["--type", "sitrep.alert.civilian_threshold", "--place", "raqqa/al-nahda"], [3]),
    ],
)
def test_api_and_redis_give_the_same_alerts_for_the_same_filters(
    api_url: str, redis_url: str, mixed_log: list[str], filters: list[str], expected: list[int]
) -> None:
    env = process_env(redis_url)
    common = ["--since", "0", "--json", "--count", str(len(expected)), *filters]
    from_api = subscribe("--url", api_url, *common, env=env)
    from_redis = subscribe("--redis-url", redis_url, *common, env=env)
    assert from_api.returncode == 0 and from_redis.returncode == 0, from_api.stderr + from_redis.stderr
    api_alerts = [json.loads(line) for line in from_api.stdout.splitlines()]
    assert api_alerts == [json.loads(line) for line in from_redis.stdout.splitlines()]
    assert [alert["stream_id"] for alert in api_alerts] == [mixed_log[n] for n in expected]
    assert [alert["data"]["summary"].split()[3] for alert in api_alerts] == [str(n) for n in expected]


def test_since_skips_what_came_before_and_text_output_is_one_line_each(
    api_url: str, redis_url: str, mixed_log: list[str]
) -> None:
    result = subscribe("--url", api_url, "--since", mixed_log[2], "--count", "2", env=process_env(redis_url))
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "civilian_threshold" in lines[0] and "Test alert number 3" in lines[0]
    assert "Test alert number 4" in lines[1]


@pytest.mark.parametrize("source", ["--url", "--redis-url"])
def test_a_trimmed_position_is_warned_about_on_stderr(
    api_url: str, redis_url: str, r: redis.Redis, mixed_log: list[str], source: str
) -> None:
    r.xtrim(keys.ALERTS_STREAM, maxlen=2, approximate=False)
    target = api_url if source == "--url" else redis_url
    result = subscribe(source, target, "--since", mixed_log[0], "--count", "2", "--json", env=process_env(redis_url))
    assert [json.loads(line)["stream_id"] for line in result.stdout.splitlines()] == mixed_log[3:]
    assert "trimmed from the log" in result.stderr and mixed_log[3] in result.stderr


def test_bad_filters_and_positions_are_one_line_errors(api_url: str, redis_url: str) -> None:
    env = process_env(redis_url)
    for args in (
        ["--url", api_url, "--category", "stranded"],
        ["--redis-url", redis_url, "--kind", "control"],
        ["--redis-url", redis_url, "--since", "last week"],
        ["--url", api_url, "--since", "last week"],
    ):
        result = subscribe(*args, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("sitrep subscribe: ") and len(result.stderr.strip().splitlines()) == 1


def test_the_sse_reader_resumes_after_the_api_restarts_without_loss_or_repeats(
    redis_server: EmbeddedRedis, r: redis.Redis
) -> None:
    port = free_port()
    env = process_env(redis_server.url, SITREP_SSE_HEARTBEAT_SECONDS="0.5")
    api = start(["api", "--port", str(port)], env)
    wait_for_line(api, "Application startup complete")
    logged = [log_alert(r, make_alert(n)) for n in range(2)]
    reader = subprocess.Popen(
        sitrep_command("subscribe", "--url", f"http://127.0.0.1:{port}", "--since", "0", "--json", "--count", "5"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert reader.stdout is not None
        seen = [json.loads(reader.stdout.readline()) for _ in range(2)]
        stop(api)
        logged += [log_alert(r, make_alert(n)) for n in range(2, 5)]  # while the API is down
        api = start(["api", "--port", str(port)], env)
        wait_for_line(api, "Application startup complete")
        out, err = reader.communicate(timeout=30)
        seen += [json.loads(line) for line in out.splitlines()]
    finally:
        stop(api)
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert [alert["stream_id"] for alert in seen] == logged
