#!/usr/bin/env python3
"""Extraction speed of one checkout, for A/B runs on a noisy host: MB/s of CPU time over both eval corpora.

Run it alternately on two checkouts in the same minutes and compare the ratios, not the absolute figures:

    git worktree add /tmp/base COMMIT
    python scripts/bench_extract_ab.py /tmp/base; python scripts/bench_extract_ab.py .

Best of 7 passes after one warm pass (the first pass fills the gazetteer's caches).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> int:
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    sys.path.insert(0, str(root))
    from workers.extraction import extract_events

    items = []
    for name in ("corpus.jsonl", "corpus-recent.jsonl"):
        path = HERE / "../shared/eval" / name
        if path.is_file():
            items += [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    if not items:
        sys.exit("bench_extract_ab: ../shared/eval is absent here")
    megabytes = sum(len(item["text"].encode()) for item in items) / 1e6
    for item in items:
        extract_events(item["text"], None, item["id"])
    best = float("inf")
    for _ in range(7):
        start = time.process_time()
        for item in items:
            extract_events(item["text"], None, item["id"])
        best = min(best, time.process_time() - start)
    print(f"{root}: {megabytes / best:.2f} MB/s (best of 7 passes, CPU time, {megabytes:.2f} MB a pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
