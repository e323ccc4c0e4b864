#!/usr/bin/env python3
"""Every event the extractor gives on a wide set of texts, as canonical JSON: the check that a speed change
leaves the output byte for byte the same.

    python scripts/extract_snapshot.py > /tmp/before.jsonl     # on the old code
    python scripts/extract_snapshot.py > /tmp/after.jsonl      # on the new code
    cmp /tmp/before.jsonl /tmp/after.jsonl

The texts: every report of ../shared/eval/corpus*.jsonl and of any /work/fresh-eval-*/corpus-*.jsonl, with its
publication date and id, and the test fixtures' reports; each paragraph alone; each report lower-cased and
upper-cased; its sentences shuffled (seeded); consecutive reports joined in pairs; and the benchmark's synthetic
reports (scripts/bench.py). Each line is one text's label and the full `model_dump` of its events (keys sorted).
Nothing of the texts is written.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpora(frozen: Path | None) -> list[Path]:
    """The corpora to read: those of a frozen copy if given (sets that others are still building change under a
    long comparison), else ../shared/eval and /work/fresh-eval-*."""
    if frozen is not None:
        return sorted(frozen.glob("corpus*.jsonl"))
    paths = sorted((ROOT.parent / "shared" / "eval").glob("corpus*.jsonl"))
    paths += [Path(p) for p in sorted(glob.glob("/work/fresh-eval-*/corpus-*.jsonl"))]
    return [p for p in paths if p.is_file()]


def texts(quick: bool, frozen: Path | None = None) -> Iterator[tuple[str, str, date | None, str | None]]:
    """(label, text, published, report id) of every text to check."""
    from services.cli.extract import read_published
    from workers.extraction.sentences import sentence_spans

    rows: list[dict[str, str]] = []
    for path in corpora(frozen):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                row = json.loads(line)
                row["_label"] = f"{path.name}:{n}"
                rows.append(row)
    for row in rows:
        when = read_published(row.get("published"))
        pub = when.date() if when is not None else None  # as scripts/eval.py reads it
        text, label, rid = row["text"], row["_label"], row.get("id")
        yield label, text, pub, rid
        if quick:
            continue
        yield label + ":nodate", text, None, None
        for k, para in enumerate(p for p in text.split("\n") if p.strip()):
            yield f"{label}:para{k}", para, pub, rid
        yield label + ":lower", text.lower(), pub, rid
        yield label + ":upper", text.upper(), pub, rid
        sents = [text[a:b] for a, b in sentence_spans(text)]
        random.Random(label).shuffle(sents)
        yield label + ":shuffled", " ".join(sents), pub, rid
    for n, item in enumerate(json.loads((ROOT / "tests" / "fixtures" / "reports.json").read_text(encoding="utf-8"))):
        yield f"fixtures:{n}", item["text"], None, item.get("id")
    if quick:
        return
    for a, b in zip(rows, rows[1:], strict=False):
        yield f"{a['_label']}+{b['_label']}", a["text"] + "\n\n" + b["text"], None, a.get("id")
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench import bench_text

    pool = [row["text"] for row in rows if row["_label"].startswith("corpus.jsonl")]
    for i in range(300):
        yield f"bench:{i}", bench_text(pool, i), None, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose extractor runs")
    parser.add_argument("--quick", action="store_true", help="the corpus reports only")
    parser.add_argument("--frozen", type=Path, help="a folder of corpus*.jsonl copies to read instead")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from workers.extraction import extract as extract_module
    from workers.extraction import extract_events

    extract_module.STRICT = True  # a rule family's exception must show, not hide as a missing event
    out = sys.stdout
    count = 0
    for label, text, pub, rid in texts(args.quick, args.frozen):
        events = extract_events(text, pub, rid)
        dumped = [e.model_dump(mode="json") for e in events]
        out.write(json.dumps({"t": label, "e": dumped}, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    print(f"extract_snapshot: {count} texts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
