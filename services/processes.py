"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import signal
import subprocess
from collections.abc import Sequence

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in a child (before exec, or after a fork): the kernel SIGTERMs it if its parent dies (Linux;
    harmless elsewhere)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def spawn_child(command: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group (a terminal's Ctrl-C reaches only the parent, which
    stops children in order) and tied to the parent's life."""
    return subprocess.Popen(
        list(command), env=env, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent, process_group=0
    )
