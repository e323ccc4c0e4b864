"""Move what a long-running process loaded at start out of the garbage collector's sight.

Python's full collections walk every tracked object. A sitrep process loads tens of thousands of
them at start (FastAPI and pydantic schemas, RQ, the notifier's rules) that live as long as the
process, and walking them again at every full collection showed as latency spikes: the API's p99
under load fell from 59–66 ms to about 5.5 ms once they were frozen (docs/benchmarks.md). In a worker
it also keeps a forked work horse from writing to every page it shares with its parent.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then freeze everything that survived (call when setup is done, before the loop)."""
    gc.collect()
    gc.freeze()
