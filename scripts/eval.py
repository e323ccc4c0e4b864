#!/usr/bin/env python3
"""Run the extractor over the evaluation corpus and score it against gold-dev.

Feeds only id, text and published (never the title) to `extract_events`, writes JSON Lines
{"id", "events"} to --out, then runs shared/eval/score.py on it and prints its table.

Usage: PYTHONPATH=. python scripts/eval.py [CORPUS] [--out PATH] [--explain]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workers.extraction import extract_events  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "../shared/eval/corpus.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "out/eval-pred.jsonl")
    parser.add_argument("--explain", action="store_true", help="list every miss and false event")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    scorer = corpus.parent / "score.py"
    if not corpus.is_file() or not scorer.is_file():
        sys.exit(
            f"eval: corpus or scorer not found ({corpus}, {scorer}); the shared eval directory "
            "../shared/eval is absent here, pass the corpus path as an argument"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(corpus, encoding="utf-8") as src, open(args.out, "w", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            item = json.loads(line)
            published = date.fromisoformat(item["published"][:10]) if item.get("published") else None
            events = extract_events(item["text"], published, item["id"])
            dst.write(
                json.dumps(
                    {"id": item["id"], "events": [e.model_dump(mode="json") for e in events]}, ensure_ascii=False
                )
                + "\n"
            )
    cmd = [sys.executable, str(scorer), str(args.out)] + (["--explain"] if args.explain else [])
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main())
