"""CPU per report of each pipeline stage, measured in-process (robust on a noisy machine).

Fills a queue with `bench_text` corpus reports, runs `process_batch` on batches of 100 in this
process (worker CPU split into extraction and the rest), reads Redis's own CPU per command from
`INFO commandstats`, then runs the notifier over the whole stream in this process.

    .venv/bin/python scripts/cpu_profile.py [--count 2000] [--profile worker|notifier]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import corpus_texts, fill_queue  # noqa: E402

from core.embedded_redis import scratch_redis  # noqa: E402
from core.settings import NotifierSettings, WorkerSettings  # noqa: E402
from workers import processing  # noqa: E402
from workers.dedup import event_store  # noqa: E402


def redis_main_cpu(client: redis.Redis) -> float:
    cpu = client.info("cpu")
    return float(cpu["used_cpu_user_main_thread"]) + float(cpu["used_cpu_sys_main_thread"])


def digest(client: redis.Redis) -> str:
    """What readers see: event JSONs, mention sets, indexes (members), stream entries, report fields."""
    import hashlib

    h = hashlib.sha256()
    from core.event_reader import read_events

    ids = sorted(k.decode().split(":")[2] for k in client.scan_iter("sitrep:canon:*") if k.count(b":") == 2)
    for event_id, raw in zip(ids, read_events(client, ids, 3), strict=True):
        h.update(event_id.encode() + b"=" + (raw or b""))
    for key in sorted(client.scan_iter("sitrep:canon:*:mentions")):
        h.update(key + b"".join(client.zrange(key, 0, -1)))
    for key in sorted(client.scan_iter("sitrep:events:*", _type="zset")):
        h.update(key + b"".join(sorted(client.zrange(key, 0, -1))))
    for _, fields in client.xrange("sitrep:events"):
        fields.pop(b"kind", None)  # added by the perf branch; everything else must stay the same
        h.update(b"|".join(k + b"=" + v for k, v in sorted(fields.items())))
    for key in sorted(client.scan_iter("sitrep:report:*")):
        fields = client.hgetall(key)
        fields.pop(b"done_at", None)
        fields.pop(b"received_at", None)
        h.update(key + b"|".join(k + b"=" + v for k, v in sorted(fields.items())))
    return h.hexdigest()[:16]


def commandstats(client: redis.Redis) -> dict[str, tuple[int, int]]:
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): (int(v["calls"]), int(v["usec"])) for name, v in stats.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--profile", choices=["worker", "notifier", ""], default="")
    parser.add_argument("--sort", default="cumulative", help="pstats order of --profile: cumulative, tottime...")
    parser.add_argument("--lua", default="", help="a variant of merge.lua to measure instead")
    parser.add_argument("--digest", action="store_true", help="print a digest of the stored state")
    args = parser.parse_args()
    with scratch_redis() as server:
        run(redis.Redis.from_url(server.url), args)


def run(client: redis.Redis, args: argparse.Namespace) -> None:
    texts = corpus_texts()
    ids = fill_queue(client, texts, args.count, "p")
    client.execute_command("CONFIG", "RESETSTAT")
    settings = WorkerSettings()
    extract_cpu = 0.0
    original = processing.extract_events

    def timed_extract(*a, **k):  # type: ignore[no-untyped-def]
        nonlocal extract_cpu
        t = time.process_time()
        try:
            return original(*a, **k)
        finally:
            extract_cpu += time.process_time() - t

    processing.extract_events = timed_extract  # type: ignore[assignment]
    if args.lua:
        event_store.MERGE_LUA = event_store.RENDER_LUA + Path(args.lua).read_text()
    merge_cpu = 0.0  # the worker's side of the merge: packing the arguments, sending, reading the reply
    original_start = event_store.EventStore.start_merge

    def timed_start(self, reports, now, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal merge_cpu
        t = time.process_time()
        finish = original_start(self, reports, now, **kwargs)
        merge_cpu += time.process_time() - t

        def timed_finish():  # type: ignore[no-untyped-def]
            nonlocal merge_cpu
            t = time.process_time()
            try:
                return finish()
            finally:
                merge_cpu += time.process_time() - t

        return timed_finish

    event_store.EventStore.start_merge = timed_start  # type: ignore[method-assign]
    profiler = cProfile.Profile() if args.profile == "worker" else None
    redis_before = client.info("cpu")
    start = time.process_time()
    if profiler:
        profiler.enable()
    for k in range(0, len(ids), args.batch):
        processing.process_batch(client, ids[k : k + args.batch], settings)
    if profiler:
        profiler.disable()
    worker_cpu = time.process_time() - start
    redis_after = client.info("cpu")
    stats = commandstats(client)
    n = len(ids)
    rcpu = sum(float(redis_after[k]) - float(redis_before[k]) for k in ("used_cpu_user", "used_cpu_sys"))
    entries = client.xlen("sitrep:events")
    size = client.memory_usage("sitrep:events") or 0
    print(f"reports {n}, stream entries {entries} ({entries / n:.2f}/report, {size / max(entries, 1):.0f} B/entry)")
    print(
        f"worker CPU/report: total {worker_cpu / n * 1e6:.0f} us, extraction {extract_cpu / n * 1e6:.0f} us, "
        f"rest {(worker_cpu - extract_cpu) / n * 1e6:.0f} us"
    )
    merge_script = stats.get("evalsha", (0, 0))[1] / 1e6  # the merge script is most of it; claims are a little
    print(
        f"redis CPU/report (INFO cpu): {rcpu / n * 1e6:.0f} us, of it EVALSHA (merge, claim) {merge_script / n * 1e6:.0f} us"
    )
    print(f"worker CPU/report sending merges and reading replies (args, call, reply): {merge_cpu / n * 1e6:.0f} us")
    if args.digest:
        print("digest", digest(client))
    for name, (calls, usec) in sorted(stats.items(), key=lambda x: -x[1][1])[:20]:
        print(f"  {name}: {calls / n:.2f} calls/report, {usec / n:.1f} us/report, {usec / max(calls, 1):.2f} us/call")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
    from services.notifier.consumer import Notifier

    nsettings = NotifierSettings(group_wait_seconds=0)
    notifier = Notifier(client, nsettings)
    notifier.ensure_group()
    notifier.hold_lease()
    client.execute_command("CONFIG", "RESETSTAT")
    redis_before = client.info("cpu")
    nprof = cProfile.Profile() if args.profile == "notifier" else None
    start = time.process_time()
    if nprof:
        nprof.enable()
    handled = 0
    while True:
        got = notifier.step(block_milliseconds=None)
        if not got:
            break
        handled += got
    if nprof:
        nprof.disable()
    ncpu = time.process_time() - start
    redis_after = client.info("cpu")
    rcpu = sum(float(redis_after[k]) - float(redis_before[k]) for k in ("used_cpu_user", "used_cpu_sys"))
    print(f"notifier: {handled} entries, CPU/report {ncpu / n * 1e6:.0f} us, redis CPU/report {rcpu / n * 1e6:.0f} us")
    if nprof:
        pstats.Stats(nprof).sort_stats(args.sort).print_stats(30)


if __name__ == "__main__":
    main()
