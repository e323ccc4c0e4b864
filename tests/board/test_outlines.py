"""The map outlines' fetch must never hurt the API: a cache folder it cannot write, an `npm` that hangs, and the
one cache-folder rule shared with the gazetteer. The `npm` here is a small shell script standing in for the
registry (the suite has no network); what is tested is sitrep's handling of it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core import cache_dir
from core.settings import IngestSettings
from services.api.app import create_app
from services.board import outlines
from workers.extraction import gazetteer, wordlist


def _fake_npm(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "npm"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return folder


@pytest.fixture
def unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SITREP_CACHE_DIR below a plain file: making the folder raises an OSError, as a read-only mount does."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SITREP_CACHE_DIR", str(blocker / "cache"))
    bin_dir = _fake_npm(tmp_path / "bin", f'touch "{tmp_path}/npm-ran"; exit 1')
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return tmp_path


def test_a_cache_folder_that_cannot_be_made_gives_no_outlines_and_no_error(unwritable_cache: Path) -> None:
    assert outlines.build_outlines() is None
    assert outlines.build_outlines() is None  # remembered: not tried again in this process


def test_the_api_starts_and_stops_cleanly_when_the_outlines_cannot_be_cached(
    unwritable_cache: Path, redis_url: str, r: object
) -> None:
    with TestClient(create_app(IngestSettings(redis_url=redis_url, map_outlines=True))) as client:
        deadline = time.monotonic() + 5
        while (
            outlines.outlines_path() not in outlines._failed and time.monotonic() < deadline
        ):  # the build thread has given up
            time.sleep(0.02)
        answer = client.get("/v1/map/outlines")
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
        assert client.get("/").status_code == 200
    # Leaving the block ran the lifespan's shutdown: it raised nothing.


def test_a_hanging_npm_delays_neither_the_api_start_nor_its_stop(
    tmp_path: Path, redis_url: str, r: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", f"{_fake_npm(tmp_path / 'bin', 'sleep 15 & sleep 15')}:/usr/bin:/bin")
    began = time.monotonic()
    with TestClient(create_app(IngestSettings(redis_url=redis_url, map_outlines=True))) as client:
        assert client.get("/v1/map/outlines").status_code == 404
    assert time.monotonic() - began < 5


def test_npm_and_its_children_are_killed_at_the_fetch_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    args = tmp_path / "args"
    bin_dir = _fake_npm(tmp_path / "bin", f'echo "$@" > {args}; sleep 15 & sleep 15')
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    assert outlines.FETCH_LIMIT_SECONDS <= 10  # the bound docs/board.md gives
    monkeypatch.setattr(outlines, "FETCH_LIMIT_SECONDS", 0.5)
    began = time.monotonic()
    assert outlines.build_outlines() is None
    assert time.monotonic() - began < 5
    assert "--fetch-retries=0" in args.read_text()
    assert f"--fetch-timeout={outlines.FETCH_TIMEOUT_MILLISECONDS}" in args.read_text()


def test_the_gazetteer_the_word_list_and_the_outlines_share_one_cache_folder_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path))
    for module in (gazetteer, wordlist, outlines):  # each imports the one rule rather than keeping a copy
        assert vars(module)["cache_dir"] is cache_dir.cache_dir
    assert outlines.outlines_path().parent == tmp_path
    monkeypatch.delenv("SITREP_CACHE_DIR")
    assert cache_dir.cache_dir() == Path.home() / ".cache" / "sitrep"
