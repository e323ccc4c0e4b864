"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from collections.abc import Callable, Sequence

_PR_SET_PDEATHSIG = 1


_PRCTL: Callable[..., int] | None
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up once, not in a freshly forked child
except (OSError, AttributeError):  # not Linux
    _PRCTL = None

_forked_by: list[int] = [0]


def die_with_parent() -> None:
    """Runs in a child (before exec, or after a fork): the kernel SIGTERMs it if its parent dies (Linux;
    harmless elsewhere). A parent that died before this ran is caught too: the child then has a new one."""
    if _PRCTL is None:
        return
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if _forked_by[0] and os.getppid() != _forked_by[0]:
        os.kill(os.getpid(), signal.SIGTERM)


def tie_forks_to_this_process() -> None:
    """Every child this process forks from now on dies with it (see `die_with_parent`)."""

    def before() -> None:
        _forked_by[0] = os.getpid()

    os.register_at_fork(before=before, after_in_child=die_with_parent)


def spawn_child(command: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group (a terminal's Ctrl-C reaches only the parent, which
    stops children in order) and tied to the parent's life."""
    return subprocess.Popen(
        list(command), env=env, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent, process_group=0
    )
