#!/usr/bin/env python3
"""Score the extractor on every evaluation set in ../shared/eval, per set and per source.

For each set (corpus.jsonl with gold-dev.jsonl, corpus-recent.jsonl with gold-recent.jsonl, and any other
corpus-NAME.jsonl with gold-NAME.jsonl), feeds only id, text and published (never the title) to
`extract_events`, writes JSON Lines {"id", "events"} to out/eval-NAME.jsonl (out/eval-FOLDER-NAME.jsonl outside ../shared/eval), and prints the scorer's table
with `--by-source`, so a rule that helps one source and hurts another shows.

Usage: python scripts/eval.py [CORPUS ...] [--explain]
  (no CORPUS: every set found; a CORPUS path: that set, scored against the gold file beside it)
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

from services.cli.extract import read_published  # noqa: E402
from workers.extraction import extract_events  # noqa: E402

EVAL = ROOT / "../shared/eval"


def _published(value: str | None) -> date | None:
    """An item's date, read as `sitrep extract` reads it (a year or a month alone is its first day)."""
    when = read_published(value)
    return when.date() if when is not None else None


def gold_for(corpus: Path) -> Path:
    """gold-dev.jsonl for corpus.jsonl; gold-NAME.jsonl for corpus-NAME.jsonl."""
    name = corpus.stem.removeprefix("corpus")
    return corpus.parent / (f"gold{name}.jsonl" if name else "gold-dev.jsonl")


def _set_name(corpus: Path) -> str:
    """The output's name: the corpus file's stem for the shared sets, with its folder's name for any other (two
    held-out folders that both hold corpus-fresh.jsonl must not overwrite, or read, each other's output)."""
    inside = corpus.parent == EVAL.resolve()
    return corpus.stem if inside else f"{corpus.parent.name}-{corpus.stem}"


def extract_file(corpus: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(corpus, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            item = json.loads(line)
            published = _published(item.get("published"))
            events = extract_events(item["text"], published, item["id"])
            row = {"id": item["id"], "events": [e.model_dump(mode="json") for e in events]}
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="*", type=Path, help="corpus files (default: every set in ../shared/eval)")
    parser.add_argument("--explain", action="store_true", help="list every miss and false event")
    args = parser.parse_args()
    corpora = [c.resolve() for c in args.corpus] or sorted(EVAL.resolve().glob("corpus*.jsonl"))
    scorer = (corpora[0].parent if corpora else EVAL.resolve()) / "score.py"
    if not corpora or not scorer.is_file():
        sys.exit(f"eval: no corpus or scorer found in {EVAL.resolve()}; the shared eval directory is absent here")
    status = 0
    for corpus in corpora:
        gold = gold_for(corpus)
        if not corpus.is_file() or not gold.is_file():
            print(f"eval: skipping {corpus.name}: it or its gold file {gold.name} is missing", file=sys.stderr)
            continue
        out = ROOT / "out" / f"eval-{_set_name(corpus)}.jsonl"
        extract_file(corpus, out)
        print(f"== {corpus.name} against {gold.name}", flush=True)
        command = [sys.executable, str(scorer), str(out), "--gold", str(gold), "--by-source"]
        status |= subprocess.call(command + (["--explain"] if args.explain else []))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
