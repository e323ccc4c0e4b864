"""Log lines: JSON objects with the bound ids, readable on a terminal, SITREP_LOG_LEVEL for our loggers, no secrets."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from core import logs
from core.delivery.signing import generate_secret
from tests.conftest import sitrep_command

API_KEY = "sitrep_0123456789ab_" + "Zq8" * 14 + "x"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure() replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in (*logs.OUR_LOGGERS, "uvicorn.error")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_carries_the_bound_ids_and_those_given_to_the_call(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure("INFO", process_kind="worker", stream=stream)
    log = logging.getLogger("workers.test")
    with logs.bound(job_id="job-1"):
        with logs.bound(report_id="r-1"):
            log.info("inside %s", "both")
        log.warning("job only", extra={"alert_id": "a-9"})
    log.info("none")
    first, second, third = lines(stream)
    assert first["message"] == "inside both" and first["job_id"] == "job-1" and first["report_id"] == "r-1"
    assert first["level"] == "info" and first["logger"] == "workers.test" and first["process"] == "worker"
    assert second["job_id"] == "job-1" and second["alert_id"] == "a-9" and "report_id" not in second
    assert "job_id" not in third


def test_each_asyncio_task_keeps_its_own_request_id(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure("INFO", stream=stream)
    log = logging.getLogger("services.test")

    async def request(name: str, pause: float) -> None:
        token = logs.bind("request_id", name)
        try:
            await asyncio.sleep(pause)
            log.info("done %s", name)
        finally:
            logs.unbind(token)

    async def both() -> None:
        await asyncio.gather(request("first", 0.02), request("second", 0.0))

    asyncio.run(both())
    assert {line["message"]: line["request_id"] for line in lines(stream)} == {
        "done first": "first",
        "done second": "second",
    }


def test_api_keys_and_webhook_secrets_are_masked_in_messages_and_traces(restore_logging: None) -> None:
    secret = generate_secret()
    stream = io.StringIO()
    logs.configure("INFO", stream=stream)
    log = logging.getLogger("services.test")
    log.info("GET /v1/alerts/stream?access_token=%s", API_KEY)
    try:
        raise ValueError(f"bad secret {secret} sealed as fernet:gAAAAABkZ2V0dGluZ3NlY3JldA==")
    except ValueError:
        log.exception("subscription refused")
    text = stream.getvalue()
    assert API_KEY[len("sitrep_0123456789ab_") :] not in text
    assert secret.removeprefix("whsec_") not in text
    assert "gAAAAABkZ2V0dGluZ3NlY3JldA" not in text
    first, second = lines(stream)
    assert first["message"] == "GET /v1/alerts/stream?access_token=sitrep_0123456789ab_***"
    assert "whsec_***" in second["error"] and "ValueError" in second["error"]


def test_a_terminal_gets_readable_lines(restore_logging: None) -> None:
    stream = Terminal()
    logs.configure("INFO", stream=stream)
    with logs.bound(report_id="r-2"):
        logging.getLogger("workers.test").warning("slow report, key %s", API_KEY)
    line = stream.getvalue().strip()
    assert not line.startswith("{")
    assert "WARNING" in line and "workers.test slow report" in line and line.endswith("[report_id=r-2]")
    assert "sitrep_0123456789ab_***" in line


def test_the_level_applies_to_our_loggers_and_not_to_the_libraries(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure("warning", stream=stream)
    logging.getLogger("services.api.app").info("ours, hidden")
    logging.getLogger("workers.jobs").warning("ours, shown")
    logging.getLogger("uvicorn.error").info("theirs, shown")
    assert [line["message"] for line in lines(stream)] == ["ours, shown", "theirs, shown"]
    logs.configure("DEBUG", stream=stream)
    logging.getLogger("core.streams").debug("debug now shown")
    assert lines(stream)[-1]["message"] == "debug now shown"


def test_a_misspelt_level_stops_the_start_with_one_line(child_env: dict[str, str]) -> None:
    done = subprocess.run(
        sitrep_command("worker", "--burst"),
        env={**child_env, "SITREP_LOG_LEVEL": "loud"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "sitrep worker: SITREP_LOG_LEVEL='loud': Value error, not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    ]
