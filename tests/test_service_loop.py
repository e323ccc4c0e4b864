"""The run-until-signal loop the notifier, the dispatcher and `sitrep run` share (core/service_loop.py)."""

from __future__ import annotations

import threading

import pytest

from core.service_loop import run_until_stopped


def test_the_loop_steps_until_stopped_and_waits_as_recover_says() -> None:
    stop = threading.Event()
    calls: list[int] = []
    pauses: list[Exception] = []

    def step() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("blip")
        if len(calls) == 4:
            stop.set()

    def recover(error: Exception) -> float:
        pauses.append(error)
        return 0.01

    run_until_stopped(stop, step, recover)
    assert len(calls) == 4 and [str(error) for error in pauses] == ["blip"]


def test_an_error_recover_declines_ends_the_loop() -> None:
    def step() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run_until_stopped(threading.Event(), step, lambda error: None)
