"""The `sitrep` command as a user meets it: help, clear errors, and `sitrep run` starting and stopping cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import psutil
import pytest
import redis

from core.embedded_redis import free_port
from tests.conftest import FIXTURES, REPO, sitrep_command
from tests.helpers import wait_for_line, wait_until

SUBCOMMANDS = ["run", "api", "worker", "notifier", "dispatcher", "post", "subscribe", "extract", "keys"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sitrep_command(*args), env=env, input=stdin, capture_output=True, text=True, timeout=60, cwd=REPO
    )


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: sitrep {command}")


def test_top_level_help_lists_every_subcommand() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in SUBCOMMANDS:
        assert command in result.stdout


def _env_without_redis() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("SITREP_")}
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.mark.parametrize("command", ["api", "worker", "notifier"])
def test_parts_without_redis_url_say_so(command: str, tmp_path: Path) -> None:
    result = subprocess.run(
        sitrep_command(command), env=_env_without_redis(), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "variable", "value", "says"),
    [
        ("worker", "SITREP_WORKER_MAINTENANCE_SECONDS", "1", "greater than or equal to 10"),
        ("worker", "SITREP_JOB_LINGER_SECONDS", "soon", "a valid number"),
        ("notifier", "SITREP_ALERTS_STREAM_MAXLEN", "many", "a valid integer"),
    ],
)
def test_a_bad_setting_is_a_one_line_error_naming_the_variable(
    command: str, variable: str, value: str, says: str, redis_url: str
) -> None:
    env = {**_env_without_redis(), "REDIS_URL": redis_url, variable: value}
    result = run_cli(command, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"sitrep {command}: {variable}={value!r}: ")
    assert says in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("worker_class", ["rq.worker.NoSuchWorker", "collections.OrderedDict", "nomodule.Thing"])
def test_worker_with_a_bad_worker_class_says_so(worker_class: str, redis_url: str) -> None:
    env = {**_env_without_redis(), "REDIS_URL": redis_url}
    result = run_cli("worker", "--burst", "--worker-class", worker_class, env=env)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"sitrep worker: {worker_class!r} is not an RQ worker class (for example rq.worker.SimpleWorker)"
    )


def test_worker_accepts_rq_simple_worker(r: redis.Redis, redis_url: str) -> None:
    env = {**_env_without_redis(), "REDIS_URL": redis_url}
    result = run_cli("worker", "--burst", "--worker-class", "rq.worker.SimpleWorker", env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_post_with_bad_input_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "a"}\nnot json\n')
    result = run_cli("post", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip() == "sitrep post: line 2: not JSON (Expecting value)"
    missing = run_cli("post", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_post_to_a_closed_port_says_it_cannot_reach_the_api() -> None:
    report = json.dumps(json.loads((FIXTURES / "reports.json").read_text())[0])
    result = run_cli("post", "-", "--url", f"http://127.0.0.1:{free_port()}", stdin=report)
    assert result.returncode == 2
    assert "cannot reach" in result.stderr and "Traceback" not in result.stderr


def test_extract_writes_one_line_per_report(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    rows = json.loads((FIXTURES / "reports.json").read_text())
    source.write_text(
        "".join(
            json.dumps({"id": row["id"], "text": row["text"], "published": row["published_at"]}) + "\n" for row in rows
        )
    )
    out = tmp_path / "out.jsonl"
    result = run_cli("extract", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [row["id"] for row in rows]
    assert any(event["kind"] == "control_change" for event in lines[0]["events"])


def test_extract_rejects_a_line_without_text(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a"}\n')
    result = run_cli("extract", str(source))
    assert result.returncode == 2
    assert "line 1" in result.stderr and "Traceback" not in result.stderr


def test_extract_to_a_file_it_cannot_write_says_so(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Rebels took Kidal."}\n')
    result = run_cli("extract", str(source), "-o", str(tmp_path / "no-such-folder" / "out.jsonl"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_run_starts_the_pipeline_on_embedded_redis_and_stops_with_no_orphan(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        sitrep_command("run", "--port", str(port), "--workers", "2", "--data-dir", str(tmp_path / "data")),
        env=_env_without_redis(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        output = wait_for_line(process, "Application startup complete", timeout_seconds=60)
        redis_line = next(line for line in output if "embedded Redis at" in line)
        address = redis_line.split("embedded Redis at ")[1].split()[0]
        password = (tmp_path / "data" / "redis-password").read_text().strip()  # its Redis wants it
        redis_url = address.replace("redis://", f"redis://:{password}@")
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        report = json.loads((FIXTURES / "reports.json").read_text())[0]
        ack = httpx.post(f"{base}/v1/reports", json=report).json()
        wait_until(lambda: httpx.get(f"{base}{ack['status_url']}").json()["status"] == "done", what="report done")
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: client.xlen("sitrep:alerts:log") >= 1, what="an alert")
        assert client.config_get("appendonly")["appendonly"] == "yes"
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 5  # redis, api, two workers, notifier (plus any work horses)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
    assert process.returncode == 0
    still_running = [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    assert still_running == []
    assert (tmp_path / "data" / "redis" / "appendonly.aof").exists() or (
        tmp_path / "data" / "redis" / "appendonlydir"
    ).exists()


def test_extract_reads_a_month_or_a_year_alone_and_names_a_bad_date(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "m", "text": "Rebels took Kidal on Sunday.", "published": "2012-03"}\n'
        '{"id": "y", "text": "Rebels took Kidal.", "published": "2012"}\n'
    )
    result = run_cli("extract", str(source))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["m", "y"]
    source.write_text('{"id": "b", "text": "Rebels took Kidal.", "published": "March 2012"}\n')
    bad = run_cli("extract", str(source))
    assert bad.returncode == 2 and "line 1: published is not an ISO date" in bad.stderr
