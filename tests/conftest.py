"""Test fixtures: a real redis-server started by the suite on a free port, cleaned before each test."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from core.embedded_redis import EmbeddedRedis

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(data_dir=tmp_path_factory.mktemp("redis"), persistent=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    return redis_server.url


@pytest.fixture
def r(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def child_env(redis_url: str) -> dict[str, str]:
    """Environment for sitrep subprocesses: this checkout first on the path, the test Redis."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SITREP_")}
    env["REDIS_URL"] = redis_url
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = "true"  # the tests' receivers listen on 127.0.0.1
    return env


def sitrep_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", *args]


def fixture_reports() -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = json.loads((FIXTURES / "reports.json").read_text())
    return reports


def pytest_sessionstart(session: pytest.Session) -> None:
    """Build the extractor's caches once, before tests start worker processes that would each build their own."""
    from services.board.outlines import build_outlines, outlines_path
    from workers.extraction.gazetteer import load_gazetteer
    from workers.extraction.wordlist import load_wordlist

    load_gazetteer()
    load_wordlist()
    # The board's map outlines (npm world-atlas), in the background: offline, npm gives up within seconds. The
    # file is named now: tests change SITREP_CACHE_DIR while the thread runs.
    target = outlines_path()
    _outlines.append(threading.Thread(target=build_outlines, args=(target,), name="map-outlines", daemon=True))
    _outlines[0].start()


_outlines: list[threading.Thread] = []


def wait_for_outlines() -> None:
    """For a test that checks the map's outlines: the session's build has ended (a file, or none on this machine)."""
    from services.board.outlines import FETCH_LIMIT_SECONDS

    for thread in _outlines:
        thread.join(FETCH_LIMIT_SECONDS + 5)
