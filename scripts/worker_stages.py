"""Where a worker's CPU per report goes: each stage of `prepare_report` timed apart, and the whole batch.

Fills an embedded Redis with `bench_text` corpus reports (as scripts/bench.py does), reads their stored
payloads, then, in this process and over the same reports:

- each stage alone, `--passes` times (best pass; the first warms the extractor's caches): parsing the
  stored JSON, extraction (and inside it the `Event` constructions), the report's facts, the merge items
  (model_dump + orjson), the MinHash signature and band keys, the merge script's arguments;
- `process_batch` over the same count of fresh reports (claim, prepare, merge round trips, tally): the
  worker's whole CPU per report, of which the stages are parts; what is left is Redis I/O and bookkeeping.

    .venv/bin/python scripts/worker_stages.py [--count 2000] [--passes 3]
    valgrind --tool=callgrind .venv/bin/python scripts/worker_stages.py --only extract --passes 1

`--only STAGE` runs one stage (after the fill) and nothing else, `--only fill` the fill alone: for instruction counts
(a stage's count less the fill's).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import corpus_texts, make_reports, store_reports  # noqa: E402

from core.embedded_redis import scratch_redis  # noqa: E402
from core.settings import WorkerSettings  # noqa: E402
from schemas.reports import ReportIn  # noqa: E402
from workers import processing  # noqa: E402
from workers.dedup import minhash  # noqa: E402
from workers.dedup.canonical import ReportFacts, merge_item  # noqa: E402
from workers.dedup.event_store import EventStore, ReportToMerge  # noqa: E402
from workers.extraction import build, extract_events  # noqa: E402

STAGES = ("parse", "extract", "facts", "merge_items", "minhash", "args", "batch")
ONLY = (*STAGES, "fill")


def best(passes: int, run: Callable[[], object]) -> float:
    """The smallest CPU seconds of `passes` runs."""
    out = float("inf")
    for _ in range(passes):
        start = time.process_time()
        run()
        out = min(out, time.process_time() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--only", choices=ONLY, help="one stage alone, or the fill alone (the baseline to subtract)")
    args = parser.parse_args()
    with scratch_redis() as server:
        run(redis.Redis.from_url(server.url), args)


def run(client: redis.Redis, args: argparse.Namespace) -> None:
    texts = corpus_texts()
    n = args.count
    # One fill of 2n distinct reports: the first n for the stages, the other n for `process_batch`.
    all_ids = store_reports(client, make_reports(texts, 2 * n, "p"))
    ids, batch_ids = all_ids[:n], all_ids[n:]
    settings = WorkerSettings()
    store = EventStore(client, settings)
    rows = [(rid, payload) for rid, _, payload in store.claim(ids)]
    reports = [ReportIn.model_validate_json(payload) for _, payload in rows]
    if args.only == "fill":
        return
    if args.only != "batch":  # the extractor's caches warm once, as in a worker that has run a while
        found = [
            extract_events(r.text, r.published_at, report_id=rid) for (rid, _), r in zip(rows, reports, strict=True)
        ]
    facts = [ReportFacts.of(rid, r) for (rid, _), r in zip(rows, reports, strict=True)]
    stages: dict[str, Callable[[], object]] = {
        "parse": lambda: [ReportIn.model_validate_json(payload) for _, payload in rows],
        "extract": lambda: [
            extract_events(r.text, r.published_at, report_id=rid) for (rid, _), r in zip(rows, reports, strict=True)
        ],
        "facts": lambda: [ReportFacts.of(rid, r) for (rid, _), r in zip(rows, reports, strict=True)],
        "merge_items": lambda: [
            [merge_item(f.report_id, f, e) for e in events] for f, events in zip(facts, found, strict=True)
        ],
        "minhash": lambda: [
            (minhash.to_hex(v), minhash.band_keys(v)) for v in (minhash.signature(r.text) for r in reports)
        ],
    }
    if args.only in (None, "args"):
        items = [[merge_item(f.report_id, f, e) for e in events] for f, events in zip(facts, found, strict=True)]
        prepared = [ReportToMerge.done(f, r.text, i) for f, r, i in zip(facts, reports, items, strict=True)]
        now = datetime.now(UTC)
        chunk = processing.MERGE_CHUNK_REPORTS
        stages["args"] = lambda: [
            store._merge_args(prepared[k : k + chunk], now) for k in range(0, len(prepared), chunk)
        ]
    stages["batch"] = lambda: [
        processing.process_batch(client, batch_ids[k : k + 100], settings) for k in range(0, len(batch_ids), 100)
    ]
    if args.only:
        stages[args.only]()
        return
    events = sum(len(f) for f in found)
    made = [0.0, 0]
    original = getattr(build, "Event")  # noqa: B009

    def counted(**fields: Any) -> Any:
        start = time.process_time()
        try:
            return original(**fields)
        finally:
            made[0] += time.process_time() - start
            made[1] += 1

    setattr(build, "Event", counted)  # noqa: B010
    stages["extract"]()
    setattr(build, "Event", original)  # noqa: B010
    seconds = {name: best(args.passes if name != "batch" else 1, stages[name]) for name in STAGES}
    print(f"{n} reports, {events} events ({events / n:.2f} a report); CPU per report, best of {args.passes} passes:")
    parts = 0.0
    for name in STAGES[:-1]:
        parts += seconds[name]
        print(f"  {name:12} {seconds[name] / n * 1e6:7.0f} us")
    print(f"    of extract: Event(...) in make_event {made[0] / n * 1e6:.0f} us ({made[1] / n:.2f} calls a report)")
    whole = seconds["batch"]
    print(f"  process_batch, fresh reports, batches of 100: {whole / n * 1e6:.0f} us")
    print(f"    of it outside the stages above (claim, Redis I/O, tally, logs): {(whole - parts) / n * 1e6:.0f} us")


if __name__ == "__main__":
    main()
