"""`sitrep export` against a real API process: the same filters as the API, files written whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.embedded_redis import EmbeddedRedis, free_port
from services.api import event_export
from tests.api.test_events_export import _strikes
from tests.conftest import sitrep_command
from tests.dedup.helpers import process
from tests.delivery.conftest import process_env, start, stop
from tests.helpers import wait_for_line


@pytest.fixture(scope="module")
def api_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    port = free_port()
    api = start(["api", "--port", str(port)], process_env(redis_server.url))
    try:
        wait_for_line(api, "Application startup complete")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(api)


def export(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(sitrep_command("export", *args), env=env, capture_output=True, text=True, timeout=60)


def test_export_writes_each_format_with_the_apis_filters(
    r: redis.Redis,
    redis_url: str,
    api_url: str,
    tmp_path: Path,
) -> None:
    process(r, _strikes(2, ["Homs", "Mosul", "Hama"]))
    env = process_env(redis_url)
    target = tmp_path / "iraq.csv"
    done = export("--url", api_url, "--country", "Iraq", "-o", str(target), env=env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert tuple(rows[0]) == event_export.COLUMNS and {row["location"] for row in rows} == {"Mosul"}
    assert len(rows) == 2 and not (tmp_path / "iraq.csv.part").exists()

    lines = export("--url", api_url, "--format", "jsonl", "--from", "2017-10-17", "--order", "asc", env=env)
    assert lines.returncode == 0, lines.stderr
    dates = [json.loads(line)["time"]["date"] for line in lines.stdout.splitlines()]
    assert dates == ["2017-10-17"] * 3

    geo = export("--url", api_url, "--format", "geojson", "--kind", "air_strike", "--limit", "4", env=env)
    assert geo.returncode == 0 and len(json.loads(geo.stdout)["features"]) == 4


def test_bad_filters_and_an_unreachable_api_are_one_line_errors_and_leave_no_file(
    redis_url: str,
    api_url: str,
    tmp_path: Path,
) -> None:
    env = process_env(redis_url)
    target = tmp_path / "out.csv"
    for args in (
        ["--url", api_url, "--from", "yesterday"],
        ["--url", api_url, "--kind", "riot"],
        ["--url", "http://127.0.0.1:9", "--country", "Syria"],
    ):
        result = export(*args, "-o", str(target), env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("sitrep export: ") and len(result.stderr.strip().splitlines()) == 1
        assert list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_and_a_directory_as_output_are_not_tracebacks(
    r: redis.Redis, redis_url: str, api_url: str, tmp_path: Path
) -> None:
    process(r, _strikes(1, ["Homs", "Mosul"]))
    env = process_env(redis_url)
    # `sitrep export | head -1`: the reader is gone before the export is written
    reader_gone = subprocess.Popen(
        sitrep_command("export", "--url", api_url), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader_gone.stdout is not None and reader_gone.stderr is not None
    reader_gone.stdout.close()
    reader_gone.wait(timeout=60)
    errors = reader_gone.stderr.read().decode()
    reader_gone.stderr.close()
    assert "Traceback" not in errors and reader_gone.returncode == 1, errors

    folder = tmp_path / "exports"
    folder.mkdir()
    done = export("--url", api_url, "-o", str(folder), env=env)
    assert done.returncode == 2 and done.stderr.startswith("sitrep export: "), done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"] and list(folder.iterdir()) == []


def test_help_text_names_the_api_and_the_stored_order(capsys: pytest.CaptureFixture[str]) -> None:
    from services.cli.main import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "running API" in text and "newest stored first" in text and "not by event date" in text
