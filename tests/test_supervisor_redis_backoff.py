"""`sitrep run`'s embedded Redis that cannot come back (its port taken) is tried again with backoff, then
comes back once it can: a real redis-server throughout."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
import redis

from core.embedded_redis import EmbeddedRedis
from core.errors import EmbeddedRedisFailed
from services.supervisor import RESTART_FIRST_SECONDS, RedisWatch
from tests.helpers import wait_until


def test_a_redis_that_cannot_restart_is_retried_with_backoff_then_comes_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    embedded = EmbeddedRedis(data_dir=tmp_path / "redis", persistent=False, maxmemory_bytes=64 << 20)
    embedded.start()
    assert embedded.process is not None
    watch = RedisWatch(embedded)
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        os.kill(embedded.process.pid, signal.SIGKILL)
        embedded.process.wait(timeout=10)
        squatter.bind(("127.0.0.1", embedded.port))  # bound, not listening: every restart fails at once
        until = time.monotonic() + 4 * RESTART_FIRST_SECONDS
        while time.monotonic() < until:
            watch.watch()
            time.sleep(0.01)
        attempts = capsys.readouterr().err.count("did not come back")
        assert 1 <= attempts <= 3  # at 0, 0.5 and 1.5 s; without backoff, dozens (each takes a few ms)
        squatter.close()

        def back() -> bool:
            watch.watch()
            return watch.failures == 0

        wait_until(back, timeout_seconds=30, what="Redis back")
        assert redis.Redis(port=embedded.port).ping()
        assert "embedded Redis is back" in capsys.readouterr().out
    finally:
        squatter.close()
        embedded.stop()


def test_starting_on_a_port_something_else_listens_on_fails_instead_of_hanging(tmp_path: Path) -> None:
    """The readiness PING must not wait for ever on a listener that is not our Redis (a restart reuses the port)."""
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()  # accepts connections, never answers
    embedded = EmbeddedRedis(data_dir=tmp_path / "redis", port=squatter.getsockname()[1], persistent=False)
    started = time.monotonic()
    try:
        with pytest.raises(EmbeddedRedisFailed):
            embedded.start(timeout_seconds=5)
        assert time.monotonic() - started < 15
    finally:
        squatter.close()
        embedded.stop()
