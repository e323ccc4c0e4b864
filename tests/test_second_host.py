"""A worker on another host: its own network namespace, reaching Redis over a veth link as a second
machine would (never through 127.0.0.1, which inside the namespace is its own empty loopback)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core import keys
from core.embedded_redis import EmbeddedRedis, free_port
from schemas.reports import ReportIn
from services.api.report_store import ReportStore, prepare
from tests.conftest import REPO, fixture_reports, sitrep_command

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None, reason="network namespaces need root and iproute2"
)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def second_host() -> Iterator[tuple[str, str, str]]:
    """(namespace, host address seen from it, its own address) on a fresh /30 link."""
    tag = f"{os.getpid() % 10000}"
    namespace, outside, inside = f"sitrep-h{tag}", f"sva{tag}", f"svb{tag}"
    subnet = 16 + os.getpid() % 200
    host_ip, guest_ip = f"10.213.{subnet}.1", f"10.213.{subnet}.2"
    ip("netns", "add", namespace)
    try:
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", namespace)
        ip("addr", "add", f"{host_ip}/30", "dev", outside)
        ip("link", "set", outside, "up")
        ip("netns", "exec", namespace, "ip", "addr", "add", f"{guest_ip}/30", "dev", inside)
        ip("netns", "exec", namespace, "ip", "link", "set", inside, "up")
        ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        yield namespace, host_ip, guest_ip
    finally:
        subprocess.run(["ip", "link", "del", outside], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)


def test_worker_in_another_network_namespace_shares_the_queue(
    second_host: tuple[str, str, str], tmp_path: Path
) -> None:
    namespace, host_ip, _ = second_host
    server = EmbeddedRedis(data_dir=tmp_path, port=free_port(), persistent=False, bind=("127.0.0.1", host_ip))
    server.start()
    try:
        local = redis.Redis(port=server.port)
        outcomes = ReportStore(local).commit([prepare(ReportIn.model_validate(item)) for item in fixture_reports()])
        env = {**os.environ, "REDIS_URL": f"redis://{host_ip}:{server.port}/0", "PYTHONPATH": str(REPO)}
        unreachable = subprocess.run(
            ["ip", "netns", "exec", namespace, *sitrep_command("worker", "--burst")],
            env={**env, "REDIS_URL": f"redis://127.0.0.1:{server.port}/0"},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert unreachable.returncode == 1  # inside the namespace, 127.0.0.1 has no Redis
        assert "cannot reach Redis" in unreachable.stderr and "Traceback" not in unreachable.stderr
        worker = subprocess.run(
            ["ip", "netns", "exec", namespace, *sitrep_command("worker", "--burst")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert worker.returncode == 0, worker.stderr
        assert [local.hget(keys.report(o.id), "status") for o in outcomes] == [b"done"] * len(outcomes)
        assert local.xlen(keys.EVENTS_STREAM) > 0
    finally:
        server.stop()
