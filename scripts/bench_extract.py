#!/usr/bin/env python3
"""Extraction throughput on one core, in MB of text per second, beside a plain tokenisation pass.

Repeats the evaluation corpus until at least --seconds of extraction have run, then runs
`re.findall(r"\\w+|[^\\w\\s]", text)` over the same texts as the reference and prints both and the ratio.

Usage: PYTHONPATH=. python scripts/bench_extract.py [CORPUS] [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workers.extraction import extract_events  # noqa: E402

_REF = re.compile(r"\w+|[^\w\s]")


def _run(items: list[tuple[str, date | None]], seconds: float, fn: object) -> tuple[float, float]:
    done_bytes = 0
    start = time.perf_counter()
    while True:
        for text, published in items:
            fn(text, published)  # type: ignore[operator]
            done_bytes += len(text.encode("utf-8"))
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done_bytes / 1e6, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "../shared/eval/corpus.jsonl")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"bench: corpus not found: {args.corpus}")
    items: list[tuple[str, date | None]] = []
    for line in args.corpus.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pub = date.fromisoformat(row["published"][:10]) if row.get("published") else None
            items.append((row["text"], pub))
    extract_events(items[0][0], items[0][1])  # lexicons are loaded at import; warm caches
    mb, secs = _run(items, args.seconds, lambda t, p: extract_events(t, p))
    ref_mb, ref_secs = _run(items, args.seconds, lambda t, p: _REF.findall(t))
    ours, ref = mb / secs, ref_mb / ref_secs
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, "
        f"one core, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"extract_events : {ours:8.2f} MB/s  ({mb:.1f} MB in {secs:.2f} s, {len(items)} reports per pass)")
    print(f"tokenise (ref) : {ref:8.2f} MB/s  ({ref_mb:.1f} MB in {ref_secs:.2f} s)")
    print(f"ratio          : {ours / ref:8.3f}  (extraction speed / tokenisation speed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
