"""Move what a long-running process loaded at start out of the garbage collector's sight.

Python's full collections walk every tracked object, and a sitrep process loads tens of thousands
at start that live as long as it does: walking them again showed as latency spikes (docs/benchmarks.md).
In a worker it also keeps a forked work horse from writing to every page it shares with its parent.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then freeze everything that survived (call when setup is done, before the loop)."""
    gc.collect()
    gc.freeze()
