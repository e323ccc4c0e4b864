"""Redis's cost per report of each worker-side stage: storing (ingest), claiming, merging.

Runs the stages one after another in this process against its own redis-server, reading Redis's CPU
(`INFO cpu`) around each call, so nothing overlaps. CPU time still moves with what else the host
runs; `--instructions` runs redis-server under valgrind's callgrind instead and counts the
instructions it executes while merging: slow (about 30 s for 1,000 reports) but the same on every
run, to within half a percent, so a change to the script can be judged on one run.
`--lua FILE` measures a variant of workers/dedup/merge.lua instead (for trying a change to the script).

    .venv/bin/python scripts/redis_cost.py [--count 3000] [--lua FILE] [--instructions [--callgrind-out F]]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import corpus_texts, fill_queue, redis_cpu_seconds  # noqa: E402

from core import lua  # noqa: E402
from core.embedded_redis import free_port, redis_server_binary, scratch_redis  # noqa: E402
from core.settings import WorkerSettings  # noqa: E402
from workers import processing  # noqa: E402
from workers.dedup import event_store  # noqa: E402


def prepare(client: redis.Redis, count: int) -> tuple[list[list[processing.ReportToMerge]], float, float]:
    """Store `count` reports and claim and extract them in merge chunks: (chunks, store CPU, claim CPU)."""
    before = redis_cpu_seconds(client)
    ids = fill_queue(client, corpus_texts(), count, "p")
    store_cpu = redis_cpu_seconds(client) - before
    store = event_store.EventStore(client, WorkerSettings())
    chunks, claim_cpu = [], 0.0
    for start in range(0, len(ids), processing.MERGE_CHUNK_REPORTS):
        before = redis_cpu_seconds(client)
        claimed = store.claim(ids[start : start + processing.MERGE_CHUNK_REPORTS])
        claim_cpu += redis_cpu_seconds(client) - before
        chunks.append([processing.prepare_report(report_id, payload) for report_id, _, payload in claimed])
    return chunks, store_cpu, claim_cpu


def describe(chunks: list[list[processing.ReportToMerge]], count: int) -> None:
    store = event_store.EventStore.__new__(event_store.EventStore)
    store._settings, store._need = WorkerSettings(), 0
    now = datetime.now(UTC)
    items = sum(len(report.items) for chunk in chunks for report in chunk)
    arg_bytes = sum(
        len(a) if isinstance(a, str | bytes) else 8 for chunk in chunks for a in store._merge_args(chunk, now)
    )
    print(f"{count} reports, {items / count:.2f} events and {arg_bytes / count:.0f} script argument bytes each")


def measure_cpu(client: redis.Redis, count: int) -> None:
    chunks, store_cpu, claim_cpu = prepare(client, count)
    describe(chunks, count)
    store = event_store.EventStore(client, WorkerSettings())
    merge_cpu = 0.0
    for chunk in chunks:
        before = redis_cpu_seconds(client)
        store.merge(chunk, datetime.now(UTC))
        merge_cpu += redis_cpu_seconds(client) - before
    for stage, seconds in (("store", store_cpu), ("claim", claim_cpu), ("merge", merge_cpu)):
        print(f"  Redis CPU, {stage}: {seconds / count * 1e6:.0f} µs/report")


def measure_instructions(count: int, keep: Path | None = None) -> None:
    """Instructions redis-server executes while merging, counted by callgrind (instrumentation on only then)."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as data:
        out = Path(data) / "callgrind.out"
        port = free_port()
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
            + [redis_server_binary(), "--port", str(port), "--save", "", "--appendonly", "no", "--dir", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=port)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            chunks, _, _ = prepare(client, count)
            describe(chunks, count)
            store = event_store.EventStore(client, WorkerSettings())
            client.script_load(event_store.MERGE_LUA)  # compiled before counting starts
            toggle = ["callgrind_control", "-i"]
            subprocess.run([*toggle, "on", str(server.pid)], check=True, capture_output=True)
            for chunk in chunks:
                store.merge(chunk, datetime.now(UTC))
            subprocess.run([*toggle, "off", str(server.pid)], check=True, capture_output=True)
            memory = client.info("memory")["used_memory"]
            client.shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # SHUTDOWN closes the connection
        finally:
            server.wait(timeout=60)
        if keep is not None:  # for `callgrind_annotate --inclusive=yes FILE`: where the instructions go
            shutil.copyfile(out, keep)
        total = 0
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    print(f"  Redis instructions, merge: {total / count / 1e3:,.0f} k/report (callgrind)")
    print(f"  Redis used_memory after the merges: {memory / count:,.0f} B/report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--lua", type=Path, help="a variant of merge.lua to measure instead")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument("--callgrind-out", type=Path, help="with --instructions: keep callgrind's profile here")
    args = parser.parse_args()
    if args.lua:
        event_store.MERGE_LUA = (
            event_store.RENDER_LUA + lua.source("workers.dedup", "settle.lua") + args.lua.read_text()
        )
    if args.instructions:
        measure_instructions(args.count, args.callgrind_out)
        return
    with scratch_redis() as server:
        measure_cpu(redis.Redis.from_url(server.url), args.count)


if __name__ == "__main__":
    main()
