"""`sitrep run` heals: a child that dies is restarted (and said so), and an embedded Redis that dies is
restarted from its AOF with nothing acknowledged lost (appendfsync always); real processes throughout."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import psutil
import pytest
import redis

from core import keys
from core.embedded_redis import free_port
from tests.conftest import FIXTURES, REPO, sitrep_command
from tests.helpers import wait_until


class Output:
    """Every line a process prints, read by one thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        stream = process.stdout

        def pump() -> None:
            for line in stream:
                self.lines.append(line)

        threading.Thread(target=pump, daemon=True).start()

    def pid(self, pattern: str, after: int = 0) -> int:
        """The pid in the first line after line `after` that matches `pattern` (a regex with one group)."""

        def found() -> int | None:
            for line in self.lines[after:]:
                match = re.search(pattern, line)
                if match:
                    return int(match.group(1))
            return None

        return wait_until(found, timeout_seconds=90, what=f"a line matching {pattern!r}")


def test_run_restarts_a_killed_child_and_its_redis_from_the_aof(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("SITREP_")}
    env |= {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "SITREP_REDIS_APPENDFSYNC": "always"}
    process = subprocess.Popen(
        sitrep_command("run", "--port", str(port), "--workers", "1", "--data-dir", str(tmp_path / "data")),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    output = Output(process)
    base = f"http://127.0.0.1:{port}"
    reports = json.loads((FIXTURES / "reports.json").read_text())
    try:
        redis_pid = output.pid(r"embedded Redis at .*appendfsync always.*pid (\d+)\)")
        address = next(line for line in output.lines if "embedded Redis at" in line).split(" at ")[1].split()[0]
        # Redis wants the password made in the data dir (0600), which is never printed nor on a command line.
        password_file = tmp_path / "data" / "redis-password"
        password = password_file.read_text().strip()
        assert password_file.stat().st_mode & 0o777 == 0o600 and len(password) >= 32
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(address).ping()
        assert not any(password in line for line in output.lines)
        assert not any(password in part for part in psutil.Process(redis_pid).cmdline())
        redis_url = address.replace("redis://", f"redis://:{password}@")
        notifier_pid = output.pid(r"notifier started \(pid (\d+)\)")
        wait_until(lambda: _ready(base), timeout_seconds=90, what="the API")

        mark = len(output.lines)
        os.kill(notifier_pid, signal.SIGKILL)
        output.pid(rf"notifier \(pid ({notifier_pid})\) exited with -9; restarting it in", mark)
        assert output.pid(r"notifier started \(pid (\d+)\)", mark) != notifier_pid

        ack = httpx.post(f"{base}/v1/reports", json=reports[0]).json()
        wait_until(lambda: _status(base, ack["status_url"]) == "done", timeout_seconds=60, what="the report done")
        mark = len(output.lines)
        os.kill(redis_pid, signal.SIGKILL)  # appendfsync always: every acknowledged write is on disk
        output.pid(rf"embedded Redis \(pid ({redis_pid})\) exited with -9; restarting it from its AOF", mark)
        output.pid(r"embedded Redis is back \(pid (\d+)\)", mark)
        wait_until(lambda: _status(base, ack["status_url"]) == "done", what="the report, read back from the AOF")
        # A worker whose job was open when Redis died may die of it too (and be restarted): reports joining that
        # job during its lease (1 s, replayed with the AOF) would wait minutes for RQ to retry the job, a known
        # limit (docs/ARCHITECTURE.md). So the next POST comes once the lease has lapsed.
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: not client.exists(keys.running_job("sitrep")), what="the open job's lease to lapse")
        # The API's pooled connections died with Redis: a POST may get one 503 (Retry-After; a resend is safe).
        later = wait_until(lambda: _post(base, reports[1]), what="a POST taken again")
        wait_until(lambda: _status(base, later["status_url"]) == "done", timeout_seconds=120, what="a new report")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
    assert process.returncode == 0


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _status(base: str, path: str) -> str | None:
    try:
        response = httpx.get(f"{base}{path}", timeout=5)
    except httpx.HTTPError:
        return None
    return str(response.json().get("status")) if response.status_code == 200 else None


def _post(base: str, report: dict[str, object]) -> dict[str, str] | None:
    response = httpx.post(f"{base}/v1/reports", json=report, timeout=5)
    if response.status_code == 503:
        assert response.headers["Retry-After"]
        return None
    assert response.status_code == 202, response.text
    body: dict[str, str] = response.json()
    return body
