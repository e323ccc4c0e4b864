"""The one run-until-signal loop of sitrep's long-running processes (notifier, dispatcher, `sitrep run`)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Protocol

from core.gc_freeze import freeze_startup_objects


class Service(Protocol):
    """A process body: `run` loops until `stop` is set; `drain` returns once nothing is left to do."""

    stop: threading.Event

    def run(self) -> None: ...

    def drain(self) -> None: ...


def stop_on_signals(stop: threading.Event) -> threading.Event:
    """SIGINT and SIGTERM set `stop`, so the loop that watches it ends at its next look."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def serve(service: Service, until_idle: bool = False) -> int:
    """Run `service` until SIGTERM/SIGINT, or with `until_idle` until it has nothing left; exit status 0."""
    stop_on_signals(service.stop)
    freeze_startup_objects()
    if until_idle:
        service.drain()
    else:
        service.run()
    return 0


def run_until_stopped(
    stop: threading.Event, step: Callable[[], object], recover: Callable[[Exception], float | None]
) -> None:
    """Call `step` until `stop` is set. A step that raises goes to `recover`, which returns how many
    seconds to wait before the next step, or None to let the exception end the loop."""
    while not stop.is_set():
        try:
            step()
        except Exception as error:
            pause = recover(error)
            if pause is None:
                raise
            if pause > 0:
                stop.wait(pause)
