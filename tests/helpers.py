"""Waiting on conditions and processes without fixed sleeps."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout_seconds: float = 20.0, what: str = "condition") -> T:
    """Re-check `condition` until it is truthy (polling state that has no event to await), or fail."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")
        time.sleep(0.02)


def wait_for_line(process: subprocess.Popen[str], marker: str, timeout_seconds: float = 20.0) -> list[str]:
    """Read the process's output until a line contains `marker`; keep draining it afterwards."""
    assert process.stdout is not None
    stream: IO[str] = process.stdout
    seen: list[str] = []
    found = threading.Event()

    def pump() -> None:
        for line in stream:
            seen.append(line)
            if marker in line:
                found.set()

    threading.Thread(target=pump, daemon=True).start()
    if not found.wait(timeout_seconds):
        raise AssertionError(f"no line with {marker!r} within {timeout_seconds}s; output so far:\n{''.join(seen)}")
    return seen
