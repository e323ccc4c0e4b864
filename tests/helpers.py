"""Waiting on conditions and processes without fixed sleeps."""

from __future__ import annotations

import os
import signal
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


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """A `sitrep` subcommand as a child process, its output on one pipe for wait_for_line."""
    from tests.conftest import sitrep_command

    return subprocess.Popen(
        sitrep_command(*args),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, for kill_group
    )


def kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL a process started by `start` and every process it forked.

    A worker forks RQ's scheduler. The kernel ends it when its worker dies (workers/runner.py), but only
    after a moment; killing the group at once keeps it from taking the next test's job meanwhile.
    """
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def stop_all(processes: list[subprocess.Popen[str]]) -> None:
    """SIGTERM all at once (warm shutdowns overlap), then wait; kill what does not stop in 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
