"""Redis CPU per report of each worker-side stage: storing (ingest), claiming, merging.

Runs the stages one after another in this process against its own redis-server, reading Redis's CPU
(`INFO cpu`) around each call, so nothing overlaps and the split is exact even on a busy machine.
`--lua FILE` measures a variant of workers/dedup/merge.lua instead (for trying a change to the script).

    .venv/bin/python scripts/redis_cost.py [--count 3000] [--lua FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import corpus_texts, fill_queue, redis_cpu_seconds  # noqa: E402

from services.embedded_redis import EmbeddedRedis  # noqa: E402
from services.settings import WorkerSettings  # noqa: E402
from workers import event_store, processing  # noqa: E402


def measure(client: redis.Redis, count: int) -> None:
    before = redis_cpu_seconds(client)
    ids = fill_queue(client, corpus_texts(), count, "p")
    store_cpu = redis_cpu_seconds(client) - before
    store = event_store.EventStore(client, WorkerSettings())
    claim_cpu = merge_cpu = 0.0
    items = arg_bytes = 0
    for start in range(0, len(ids), processing.MERGE_CHUNK_REPORTS):
        before = redis_cpu_seconds(client)
        claimed = store.claim(ids[start : start + processing.MERGE_CHUNK_REPORTS])
        claim_cpu += redis_cpu_seconds(client) - before
        prepared = [processing.prepare_report(report_id, payload) for report_id, _, payload in claimed]
        items += sum(len(report.items) for report in prepared)
        now = datetime.now(UTC)
        arg_bytes += sum(len(a) if isinstance(a, str | bytes) else 8 for a in store._merge_args(prepared, now))
        before = redis_cpu_seconds(client)
        store.merge(prepared, now)
        merge_cpu += redis_cpu_seconds(client) - before
    print(f"{count} reports, {items / count:.2f} events and {arg_bytes / count:.0f} script argument bytes each")
    for stage, seconds in (("store", store_cpu), ("claim", claim_cpu), ("merge", merge_cpu)):
        print(f"  Redis CPU, {stage}: {seconds / count * 1e6:.0f} µs/report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--lua", type=Path, help="a variant of merge.lua to measure instead")
    args = parser.parse_args()
    if args.lua:
        event_store.MERGE_LUA = args.lua.read_text()
    with tempfile.TemporaryDirectory() as data:
        server = EmbeddedRedis(data_dir=Path(data), persistent=False)
        server.start()
        try:
            measure(redis.Redis.from_url(server.url), args.count)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
