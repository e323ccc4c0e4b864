#!/usr/bin/env python3
"""sitrep's benchmarks: every figure beside a reference measured in the same run, printed as a ratio.

Starts its own redis-server on a free port (never a system Redis) and its own processes. Uses
`wrk` for HTTP load when it is installed (`apt-get install wrk`), else says so and skips those rows.
Real corpus text comes from ../shared/eval/corpus.jsonl when present, else from the test fixtures.

Usage: python scripts/bench.py [--only SECTION ...] [--quick]
Sections: redis, ingest, admission, fsync, pipeline, scaling, latency, memory, dedup, extraction
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from core.embedded_redis import EmbeddedRedis, free_port  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []  # figure, value, reference, ref value, ratio
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TEXT_3KB = ("Residents said the town was calm on Monday while aid convoys waited at the checkpoint. " * 36)[:3000]


def _shown(value: float) -> str:
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def row(figure: str, value: float, unit: str, reference: str = "", ref_value: float | None = None) -> None:
    ratio = f"{value / ref_value:.2f}" if ref_value else ""
    ref = "" if ref_value is None else f"{_shown(ref_value)} {unit}"
    ROWS.append((figure, f"{_shown(value)} {unit}", reference, ref, ratio))
    print(f"  {figure}: {value:,.1f} {unit}" + (f"  (reference {ref}, ratio {ratio})" if ref else ""), flush=True)


def sitrep(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "services.cli", *args], env=env, cwd=ROOT, **kwargs)


def wait_http(url: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def corpus_texts() -> list[str]:
    corpus = ROOT.parent / "shared" / "eval" / "corpus.jsonl"
    if corpus.is_file():
        return [json.loads(line)["text"] for line in corpus.read_text().splitlines() if line.strip()]
    return [item["text"] for item in json.loads((ROOT / "tests" / "fixtures" / "reports.json").read_text())]


def bench_redis(client: redis.Redis, quick: bool) -> None:
    print("redis reference (redis-py, 3 KB values)")
    n = 5000 if quick else 20000
    client.delete("bench:l")
    start = time.perf_counter()
    for _ in range(n):
        client.lpush("bench:l", TEXT_3KB)
    single = n / (time.perf_counter() - start)
    client.delete("bench:l")
    start = time.perf_counter()
    with client.pipeline(transaction=False) as pipe:
        for i in range(n):
            pipe.lpush("bench:l", TEXT_3KB)
            if i % 100 == 99:
                pipe.execute()
        pipe.execute()
    piped = n / (time.perf_counter() - start)
    client.delete("bench:l")
    row("LPUSH one at a time", single, "ops/s")
    row("LPUSH pipelined by 100", piped, "ops/s", "LPUSH one at a time", single)


_WRK_SINGLE = """
counter = 0
local seed = tostring(os.time())
local text = "%s"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local id = "b" .. seed .. "-" .. counter
  local body = '{"id":"' .. id .. '","source":"bench","published_at":"2017-10-14T12:00:00Z","text":"' .. id .. ' ' .. text .. '"}'
  return wrk.format(nil, "/v1/reports", nil, body)
end
"""

_WRK_BATCH = """
counter = 0
local seed = tostring(os.time())
local text = "%s"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local parts = {}
  for i = 1, 100 do
    counter = counter + 1
    local id = "b" .. seed .. "-" .. counter
    parts[i] = '{"id":"' .. id .. '","source":"bench","published_at":"2017-10-14T12:00:00Z","text":"' .. id .. ' ' .. text .. '"}'
  end
  return wrk.format(nil, "/v1/reports/batch", nil, "[" .. table.concat(parts, ",") .. "]")
end
"""


def run_wrk(url: str, script: str, seconds: int, connections: int) -> tuple[float, float, float]:
    """Requests/s, p50 ms and p99 ms from one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(handle.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses:\n{out}")
    return rate, percentile("50"), percentile("99")


def bench_ingest(url: str, client: redis.Redis, quick: bool) -> None:
    print("ingest: POST /v1/reports vs bare Starlette + LPUSH, wrk -t1 -c32")
    if not shutil.which("wrk"):
        print("  skipped: wrk is not installed (apt-get install wrk)")
        return
    env = {**ENV, "REDIS_URL": url}
    ours_port, ref_port = free_port(), free_port()
    ours = sitrep("api", "--port", str(ours_port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ref = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "scripts.bench_reference_app:app",
            "--port",
            str(ref_port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    script = _WRK_SINGLE % TEXT_3KB
    seconds = 5 if quick else 10
    try:
        wait_http(f"http://127.0.0.1:{ours_port}/healthz")
        wait_http(f"http://127.0.0.1:{ref_port}/")
        run_wrk(f"http://127.0.0.1:{ref_port}", script, 2, 32)  # warm both up
        run_wrk(f"http://127.0.0.1:{ours_port}", script, 2, 32)
        ref_rate, _, ref_p99 = run_wrk(f"http://127.0.0.1:{ref_port}", script, seconds, 32)
        client.flushall()
        rate, p50, p99 = run_wrk(f"http://127.0.0.1:{ours_port}", script, seconds, 32)
        jobs = client.llen("rq:queue:sitrep")
        row("POST /v1/reports", rate, "req/s", "Starlette+LPUSH route", ref_rate)
        row("POST /v1/reports p50 latency", p50, "ms")
        row("POST /v1/reports p99 latency", p99, "ms", "reference p99", ref_p99)
        row("reports per RQ job under this load", rate * seconds / max(jobs, 1), "reports")
        client.flushall()
        batch_rate, _, batch_p99 = run_wrk(f"http://127.0.0.1:{ours_port}", _WRK_BATCH % TEXT_3KB, seconds, 4)
        row("POST /v1/reports/batch (100 x 3 KB)", batch_rate * 100, "reports/s", "target 25,000 reports/s", 25000)
        row("POST /v1/reports/batch p99 latency", batch_p99, "ms")
    finally:
        stop(ours, ref)
        client.flushall()


def bench_text(texts: list[str], i: int) -> str:
    """Report i of a stream: as many corpus sentences as a corpus item has, drawn from all items.

    Sentences recur across reports as facts do across outlets (so events merge into canonical ones
    with several mentions), but no two reports are copies (so they are not all one near-duplicate
    story, which would make the stream unrealistically easy or hard). Seeded: every run is the same.
    """
    import random

    from workers.extraction.sentences import sentence_spans

    pool = _SENTENCE_POOL.get(id(texts))
    if pool is None:
        pool = [text[a:b] for text in texts for a, b in sentence_spans(text)]
        _SENTENCE_POOL[id(texts)] = pool
    size = max(1, round(len(pool) / max(len(texts), 1)))
    rng = random.Random(i)
    return " ".join(rng.choice(pool) for _ in range(size))


_SENTENCE_POOL: dict[int, list[str]] = {}


def make_reports(texts: list[str], count: int, prefix: str) -> list[Any]:
    """`count` validated reports of corpus text, made distinct: what a client would POST. Built before a
    clock starts: making up the text is the benchmark's work, not the pipeline's."""
    from schemas.reports import ReportIn

    reports, seen = [], set()
    for i in range(count):
        source, text = f"outlet-{i % 7}", bench_text(texts, i)
        for retry in range(1, 6):  # a small corpus (the test fixtures, without ../shared) repeats texts
            if (source, text.strip()) not in seen:
                break
            text = bench_text(texts, i + retry * 1_000_003)
        if (source, text.strip()) in seen:  # the ingest would take it for a resend and never process it
            text += f" Bulletin {i}."
        seen.add((source, text.strip()))
        reports.append(
            ReportIn(id=f"{prefix}-{i}", source=source, text=text, published_at=datetime(2017, 10, 14, 12, tzinfo=UTC))
        )
    return reports


def store_reports(client: redis.Redis, reports: list[Any], report_ttl_seconds: int | None = None) -> list[str]:
    """Store reports with their jobs, 1,000 per commit, as the ingest service's batcher does."""
    from core import defaults
    from services.api.report_store import ReportStore, prepare

    ttl = defaults.REPORT_TTL_SECONDS if report_ttl_seconds is None else report_ttl_seconds
    store = ReportStore(client, report_ttl_seconds=ttl)
    ids: list[str] = []
    for start in range(0, len(reports), 1000):
        outcomes = store.commit([prepare(report) for report in reports[start : start + 1000]])
        ids += [outcome.id for outcome in outcomes]
    return ids


def fill_queue(
    client: redis.Redis, texts: list[str], count: int, prefix: str, report_ttl_seconds: int | None = None
) -> list[str]:
    """Store `count` reports (corpus texts, made distinct) with their jobs, as the ingest service would."""
    return store_reports(client, make_reports(texts, count, prefix), report_ttl_seconds)


def drain(url: str, workers: int, extra: list[str] | None = None) -> float:
    env = {**ENV, "REDIS_URL": url, "SITREP_LOG_LEVEL": "WARNING"}
    start = time.perf_counter()
    processes = [sitrep("worker", "--burst", *(extra or []), env=env) for _ in range(workers)]
    for process in processes:
        process.wait()
    return time.perf_counter() - start


def extractor_alone(texts: list[str], count: int, processes: int) -> tuple[float, float]:
    """Reports/s of the bare extractor on `processes` processes over the same texts, and its CPU seconds
    per report (what a noisy machine disturbs least)."""
    from multiprocessing import Pool

    batch = [bench_text(texts, i) for i in range(count)]
    chunks = [batch[i::processes] for i in range(processes)]
    with Pool(processes) as pool:
        pool.map(_extract_all, [chunk[:5] for chunk in chunks])  # import and warm up first
        start = time.perf_counter()
        cpu = sum(pool.map(_extract_all, chunks))
        return count / (time.perf_counter() - start), cpu / count


def _extract_all(texts: list[str]) -> float:
    """CPU seconds this process spent extracting `texts`."""
    from workers.extraction import extract_events

    published = datetime(2017, 10, 14, 12, tzinfo=UTC)
    start = time.process_time()
    for text in texts:
        extract_events(text, published)
    return time.process_time() - start


def notifier_caught_up(client: redis.Redis) -> bool:
    groups = client.xinfo_groups("sitrep:events")
    last = client.xinfo_stream("sitrep:events")["last-generated-id"]
    return bool(groups) and groups[0]["pending"] == 0 and groups[0]["last-delivered-id"] == last


def redis_cpu_seconds(client: redis.Redis) -> float:
    """CPU time the redis-server process has used (main thread and background), from INFO."""
    cpu = client.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def reports_done(client: redis.Redis, count: int, prefix: str = "p") -> int:
    pipe = client.pipeline(transaction=False)
    for i in range(count):
        pipe.hget(f"sitrep:report:{prefix}-{i}", "status")
    return sum(1 for status in pipe.execute() if status == b"done")


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_pipeline(url: str, client: redis.Redis, quick: bool) -> None:
    """Sustained throughput: workers and notifier are started and idle first (their ~1 s of imports each
    is no part of the figure), then the reports are stored with their jobs and the clock runs until the
    notifier has handled the last event."""
    from rq import Queue, Worker

    print("pipeline: 2 running workers + notifier, corpus reports stored in batches of 1,000, vs the extractor alone")
    texts = corpus_texts()
    count = 2000 if quick else 6000
    reports = make_reports(texts, count, "p")
    client.flushall()
    env = {**ENV, "REDIS_URL": url, "SITREP_LOG_LEVEL": "WARNING"}
    notifier = sitrep("notifier", env=env)
    workers = [sitrep("worker", env=env) for _ in range(2)]
    processes = [notifier, *workers]
    queue = Queue("sitrep", connection=client)
    try:
        deadline = time.monotonic() + 60
        while (Worker.count(connection=client) < 2 or not client.exists("sitrep:notifier:leader")) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(0.5)  # the notifier creates its group once it leads
        cpu_before = redis_cpu_seconds(client)
        processes_before = [process_cpu_seconds(process.pid) for process in processes]
        own_before = time.process_time()
        start = time.perf_counter()
        store_reports(client, reports)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (
            queue.count == 0
            and notifier_caught_up(client)
            # every report done: the last job may still be open, waiting for newcomers that will not come
            and reports_done(client, count) == count
        ):
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        own = time.process_time() - own_before
        # Workers, notifier and Redis from the first report stored to the last event handled: the
        # pipeline's cost per report, whatever else shares the cores (the store is Redis's part of it).
        used = [
            process_cpu_seconds(process.pid) - before
            for process, before in zip(processes, processes_before, strict=True)
        ]
        redis_cpu = redis_cpu_seconds(client) - cpu_before
        pipeline_cpu = sum(used) + redis_cpu
    finally:
        stop(*processes)
    done = reports_done(client, count)
    assert done == count, f"only {done} of {count} reports done"
    rate = count / elapsed
    alone, alone_cpu = extractor_alone(texts, count, 2)
    row("pipeline, 2 workers + notifier (ingested to alerted)", rate, "reports/s", "target 1,000 reports/s", 1000)
    row("pipeline vs extractor alone on 2 processes", rate, "reports/s", "extractor alone, 2 processes", alone)
    per_report = pipeline_cpu / count
    row(
        "pipeline CPU per report (workers, notifier, Redis)", per_report * 1e6, "µs", "extractor alone", alone_cpu * 1e6
    )
    row(
        "pipeline on 2 idle cores, from its CPU (2 / CPU per report)",
        2 / per_report,
        "reports/s",
        "extractor alone, likewise",
        2 / alone_cpu,
    )
    row("of it: the 2 workers", sum(used[1:]) / count * 1e6, "µs")
    row("of it: the notifier", used[0] / count * 1e6, "µs")
    row("Redis CPU per report (store, job, events, dedup, notifier)", redis_cpu / count * 1e6, "µs")
    row("this benchmark's own CPU per report (preparing and storing the reports, polling)", own / count * 1e6, "µs")
    cores = os.cpu_count() or 1
    row(f"cores busy during the run (all of the above, of {cores})", (pipeline_cpu + own) / elapsed, "cores")
    row("one Redis core would saturate at", count / redis_cpu, "reports/s")
    memory = client.info("memory")["used_memory"]
    events = client.zcard("sitrep:events:index")
    row("Redis memory per report (with its events, jobs, streams)", memory / count, "bytes")
    row("canonical events per report (index entries; mentions merge into them)", events / count, "events")


def timed_drain(
    client: redis.Redis, env: dict[str, str], workers: int, count: int, prefix: str
) -> tuple[float, tuple[float, float]]:
    """Start `workers` workers on a filled queue; reports/s and (worker, Redis) CPU seconds per report.

    The clock runs from the first job taken off the queue (so the workers' ~1 s of imports is no part
    of it) until every report is done.
    """
    from rq import Queue

    queue = Queue("sitrep", connection=client)
    jobs = queue.count
    processes = [sitrep("worker", env=env) for _ in range(workers)]
    try:
        deadline = time.monotonic() + 60
        while queue.count == jobs and time.monotonic() < deadline:
            time.sleep(0.002)
        start = time.perf_counter()
        redis_before = redis_cpu_seconds(client)
        workers_before = sum(process_cpu_seconds(process.pid) for process in processes)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (
            queue.count == 0
            and reports_done(client, count, prefix) == count  # the last job may linger open: not counted
        ):
            time.sleep(0.02)
        rate = count / (time.perf_counter() - start)
        return rate, (
            (sum(process_cpu_seconds(process.pid) for process in processes) - workers_before) / count,
            (redis_cpu_seconds(client) - redis_before) / count,
        )
    finally:
        stop(*processes)


def bench_scaling(url: str, client: redis.Redis, quick: bool) -> None:
    """Drain a pre-filled queue with 1, 2, ... workers, up to twice the cores, to show where the curve bends.

    The reports and their jobs are all stored before any worker starts; the clock runs from the first
    job taken off the queue (so the workers' ~1 s of imports is no part of it) until every report is done.
    """

    cores = os.cpu_count() or 1
    counts = sorted({1, 2, cores, 2 * cores})
    print(f"scaling: a pre-filled queue of reports drained by {', '.join(map(str, counts))} workers ({cores} cores)")
    texts = corpus_texts()
    count = 2000 if quick else 5000
    env = {**ENV, "REDIS_URL": url, "SITREP_LOG_LEVEL": "WARNING"}
    rates: dict[int, float] = {}
    cpu: dict[int, tuple[float, float]] = {}
    for workers in counts:
        client.flushall()
        prefix = f"s{workers}"
        store_reports(client, make_reports(texts, count, prefix))
        rates[workers], cpu[workers] = timed_drain(client, env, workers, count, prefix)
        row(
            f"drain with {workers} worker(s)",
            rates[workers],
            "reports/s",
            "1 worker" if workers > 1 else "",
            rates[1] if workers > 1 else None,
        )
        row(
            f"  CPU per report with {workers}: workers / Redis",
            cpu[workers][0] * 1e6,
            "µs",
            "Redis",
            cpu[workers][1] * 1e6,
        )
    # Where the curve bends: each worker is one process (at most 1 / W reports/s), and the workers and
    # Redis share the cores (at most cores / (W + R)). With Redis on the same cores, two workers can only
    # reach 2x one worker if Redis's share R is small beside W.
    worker_cpu, redis_cpu = cpu[1]
    for workers in counts[1:]:
        ceiling = min(workers / worker_cpu, cores / (worker_cpu + redis_cpu))
        one = min(1 / worker_cpu, cores / (worker_cpu + redis_cpu))
        row(
            f"ceiling for {workers} vs 1 worker from 1 worker's CPU per report ({cores} cores shared with Redis)",
            ceiling / one,
            "x",
            "measured",
            rates[workers] / rates[1],
        )
    # What each worker spends per report does not grow with their number (no lock, no shared state in
    # the workers): the bend is the cores, which the workers share with Redis.
    for workers in counts[1:]:
        row(
            f"worker CPU per report, {workers} vs 1 worker(s)",
            cpu[workers][0] * 1e6,
            "µs",
            "1 worker",
            cpu[1][0] * 1e6,
        )
    # Lone POSTs: one report per commit, all stored while no worker runs (a backlog). Each joins the
    # queued job until it is full, so the workers pay RQ's per-job cost per 100 reports, not per report.
    client.flushall()
    from services.api.report_store import ReportStore, prepare

    store = ReportStore(client)
    for report in make_reports(texts, count, "lone"):
        store.commit([prepare(report)])
    jobs = client.llen("rq:queue:sitrep")
    lone, _ = timed_drain(client, env, cores, count, "lone")
    row(
        f"drain with {cores} workers, reports stored one per commit",
        lone,
        "reports/s",
        "stored in batches",
        rates[cores],
    )
    row("  RQ jobs those lone reports were queued in", jobs, "jobs", "reports", count)
    client.flushall()


def bench_latency(url: str, client: redis.Redis, quick: bool) -> None:
    """POST-to-alert latency at the goal's 200 lone POSTs a second, then at 600: on a slow host 600 jobs a
    second would saturate the workers if every lone POST were its own RQ job (they share jobs instead)."""
    goal = latency_at(url, client, quick, 200)
    if goal is None:
        return
    row("POST-to-alert p50 at 200/s", goal[0], "ms", "target 50 ms", 50)
    row("POST-to-alert p99 at 200/s", goal[1], "ms", "target 250 ms", 250)
    more = latency_at(url, client, quick, 600)
    if more is not None:
        row("POST-to-alert p50 at 600/s", more[0], "ms", "at 200/s", goal[0])
        row("POST-to-alert p99 at 600/s", more[1], "ms", "at 200/s", goal[1])


def latency_at(url: str, client: redis.Redis, quick: bool, rate: int) -> tuple[float, float] | None:
    """(p50, p99) in ms: `rate` lone POSTs a second, each a control change whose alert is awaited on the
    channel. One sender thread per 50/s, each POST waiting for its answer (independent clients), so
    one slow answer delays few others; the rate really offered is printed. The clock starts once
    both workers and the notifier are up (their imports are no part of the figure)."""
    from rq import Worker

    print(f"latency: {rate} reports/s offered, POST to alert on the channel")
    import threading

    import httpx

    client.flushall()
    rules = Path(tempfile.mkdtemp()) / "rules.yaml"
    rules.write_text(
        (ROOT / "services" / "notifier" / "default_rules.yaml")
        .read_text()
        .replace("group_wait_seconds: 0.5", "group_wait_seconds: 0", 1)
    )
    env = {**ENV, "REDIS_URL": url, "SITREP_LOG_LEVEL": "WARNING", "SITREP_RULES_FILE": str(rules)}
    port = free_port()
    processes = [
        sitrep("api", "--port", str(port), env=env),
        sitrep("notifier", env=env),
        sitrep("worker", env=env),
        sitrep("worker", env=env),
    ]
    senders = max(2, rate // 50)
    count = (400 if quick else 1000) * max(1, rate // 200)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    pubsub = client.pubsub()
    pubsub.subscribe("sitrep:alerts")
    pubsub.get_message(timeout=5)
    done = threading.Event()

    def listen() -> None:
        while len(latencies) < count:
            message = pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
            if message is None:
                break
            alert = json.loads(message["data"])
            key = alert["subject"]
            if key in sent and alert["type"] == "sitrep.alert.control_changed":
                latencies.append((time.perf_counter() - sent.pop(key)) * 1000)
        done.set()

    def send(first: int, start: float) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for k, i in enumerate(range(first, count, senders)):
                time.sleep(max(0.0, start + k * senders / rate - time.perf_counter()))
                name = f"Kafr Bench{i}"
                sent[name.lower().replace(" ", "-")] = time.perf_counter()
                http.post(
                    "/v1/reports",
                    json={
                        "source": "bench",
                        "published_at": "2017-10-14T12:00:00Z",
                        "text": f"Government forces captured the village of {name} from rebels on Saturday, the army said.",
                    },
                )

    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 60
        while (Worker.count(connection=client) < 2 or not client.exists("sitrep:notifier:leader")) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(0.5)  # the notifier creates its group once it leads
        threading.Thread(target=listen, daemon=True).start()
        cpu_before = [process_cpu_seconds(process.pid) for process in processes]
        redis_before, own_before = redis_cpu_seconds(client), time.process_time()
        start = time.perf_counter()
        threads = [threading.Thread(target=send, args=(s, start + s / rate)) for s in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        offered = count / (time.perf_counter() - start)
        done.wait(60)
        elapsed = time.perf_counter() - start
        used = [
            process_cpu_seconds(process.pid) - before for process, before in zip(processes, cpu_before, strict=True)
        ]
        used += [redis_cpu_seconds(client) - redis_before, time.process_time() - own_before]
        # Where the time goes: stored (received_at) to merged (done_at) is the queue and the worker.
        pipe = client.pipeline(transaction=False)
        for key in client.scan_iter("sitrep:report:r-*", count=1000):
            pipe.hmget(key, "received_at", "done_at")
        in_worker = sorted(
            (datetime.fromisoformat(done.decode()) - datetime.fromisoformat(received.decode())).total_seconds() * 1000
            for received, done in pipe.execute()
            if received and done
        )
        jobs, gaps = rq_job_gaps(client)
    finally:
        stop(*processes)
    if not latencies:
        print("  no alert arrived: the extractor found no change in the latency reports")
        return None
    latencies.sort()
    # Each sender waits for its answer: if the API answers slowly, fewer reports a second go out and the
    # latencies would flatter the pipeline. Print what was really offered.
    row(
        f"reports/s actually offered ({senders} senders, one POST at a time each; {len(latencies)} of {count} alerts)",
        offered,
        "reports/s",
        "asked",
        rate,
    )
    # Latency is a queueing figure: near saturation it grows whatever the design. Say how busy the cores were.
    cores = os.cpu_count() or 1
    row(
        f"cores busy meanwhile, of {cores} (api, notifier, workers, Redis, this load generator)",
        sum(used) / elapsed,
        "cores",
    )
    shares = " / ".join(f"{u / elapsed:.2f}" for u in (used[0], used[1], used[2] + used[3], used[4], used[5]))
    print(f"    of it: api / notifier / 2 workers / Redis / load generator: {shares} cores")
    if in_worker:
        row("  stored to merged (the queue and a worker), p50", in_worker[len(in_worker) // 2], "ms")
        row("  stored to merged, p99", in_worker[int(len(in_worker) * 0.99) - 1], "ms")
    if jobs:
        row("  reports per RQ job", count / jobs, "reports")
    if gaps:
        row(
            "  a worker's time from ending a job to starting the next, already queued (RQ's), p50",
            gaps[len(gaps) // 2],
            "ms",
        )
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]


def rq_job_gaps(client: redis.Redis) -> tuple[int, list[float]]:
    """Finished report jobs, and per worker the gaps (ms, sorted) between ending a job and starting the
    next one when that one was already queued: the time RQ itself takes per job, from its job hashes."""

    def stamp(value: bytes) -> float:
        return datetime.fromisoformat(value.decode().replace("Z", "+00:00")).timestamp()

    by_worker: dict[bytes, list[tuple[float, float, float]]] = {}
    jobs = 0
    for key in client.scan_iter("rq:job:reports-*", count=1000):
        fields = client.hmget(key, "enqueued_at", "started_at", "ended_at", "worker_name")
        if not all(fields):
            continue
        jobs += 1
        enqueued, started, ended, worker = fields
        by_worker.setdefault(worker, []).append((stamp(started), stamp(ended), stamp(enqueued)))
    gaps = []
    for runs in by_worker.values():
        runs.sort()
        for (_, ended, _), (started, _, enqueued) in zip(runs, runs[1:], strict=False):
            if enqueued < ended:
                gaps.append((started - ended) * 1000)
    return jobs, sorted(gaps)


def bench_memory(url: str, client: redis.Redis, quick: bool) -> None:
    """Bytes per report and per event, worker RSS, and Redis memory under an endless stream with short retention."""
    import psutil

    print("memory: an endless stream with short retention; Redis used_memory must stay flat")
    texts = corpus_texts()
    client.flushall()
    retention = 20 if quick else 40
    env = {
        **ENV,
        "REDIS_URL": url,
        "SITREP_LOG_LEVEL": "WARNING",
        "SITREP_REPORT_TTL_SECONDS": str(retention),
        "SITREP_EVENT_TTL_SECONDS": str(retention),
        "SITREP_EVENTS_STREAM_MAXLEN": "2000",
        "SITREP_ALERTS_STREAM_MAXLEN": "2000",
    }
    baseline = client.info("memory")["used_memory"]
    workers = [sitrep("worker", env=env) for _ in range(2)]
    notifier = sitrep("notifier", env=env)
    rounds = 8 if quick else 16
    per_round = 1000
    samples: list[int] = []
    rss: list[float] = []
    try:
        for n in range(rounds):
            fill_queue(client, texts, per_round, f"m{n}", report_ttl_seconds=retention)
            deadline = time.monotonic() + 120
            while client.llen("rq:queue:sitrep") and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(retention / 4)  # the stream goes on at about this pace; expiry works meanwhile
            samples.append(client.info("memory")["used_memory"])
            procs = [psutil.Process(worker.pid) for worker in workers]
            rss.append(sum(p.memory_info().rss for p in procs) / len(procs))
            if n == 0:
                stored = samples[0] - baseline
                row("Redis bytes per report (report, events, jobs, indexes, stream entries)", stored / per_round, "B")
                events = max(client.zcard("sitrep:events:index"), 1)
                row("canonical events per report, first round", events / per_round, "")
    finally:
        stop(*workers, notifier)
    half = len(samples) // 2
    first, last = sum(samples[:half]) / half, sum(samples[half:]) / (len(samples) - half)
    print(f"  used_memory per round (MB): {', '.join(f'{x / 1e6:.1f}' for x in samples)}")
    row(
        f"Redis used_memory, second half of {rounds} x {per_round} reports vs first half",
        last / 1e6,
        "MB",
        "first half",
        first / 1e6,
    )
    row("worker RSS (parent process, mean of 2), last round", rss[-1] / 1e6, "MB", "first round", rss[0] / 1e6)


def _synthetic_reports(start: int, count: int, events_per_report: int, reuse: list[str] | None = None) -> list[Any]:
    """Prepared reports whose events are copies of one extracted event at distinct places (one canonical each).

    With `reuse`, every other event goes to an already stored place, so it adds a mention instead.
    """
    from schemas.events import Place
    from schemas.reports import ReportIn
    from workers.dedup.canonical import merge_item
    from workers.dedup.event_store import ReportToMerge
    from workers.extraction import extract_events

    published = datetime(2017, 10, 14, 12, tzinfo=UTC)
    text = "The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday."
    (template,) = extract_events(text, published, report_id="t")
    prepared = []
    for r in range(start, start + count):
        report_id = f"bench-r{r}"
        report = ReportIn(id=report_id, source=f"outlet-{r % 50}", text=text, published_at=published)
        items = []
        for e in range(events_per_report):
            n = r * events_per_report + e
            place_id = reuse[n % len(reuse)] if reuse and n % 2 else f"place-{n}"
            event = template.model_copy(
                update={"id": f"{report_id}:e{e}", "place": Place(id=place_id, name=place_id), "report_id": report_id}
            )
            items.append(merge_item(report_id, report, event))
        prepared.append(ReportToMerge(report_id, report.source, report.published_at.isoformat(), "", [], items))
    return prepared


def _mark_queued(client: redis.Redis, reports: list[Any]) -> None:
    with client.pipeline(transaction=False) as pipe:
        for report in reports:
            pipe.hset(f"sitrep:report:{report.id}", "status", "queued")
        pipe.execute()


def _merge_all(client: redis.Redis, reports: list[Any], batch: int, later: float = 0.0) -> tuple[float, float]:
    """Wall seconds and Redis seconds (the script's own time) to merge `reports` in batches of `batch`.

    `later` shifts the merge clock: 60 s makes every stored event due for its expiry and index
    refresh (the script skips those for 10 s after a change), so both store sizes pay the full cost.
    """
    from core.settings import WorkerSettings
    from workers.dedup.event_store import EventStore

    store = EventStore(client, WorkerSettings(redis_url="redis://unused"))
    _mark_queued(client, reports)
    client.config_resetstat()
    start = time.perf_counter()
    for i in range(0, len(reports), batch):
        store.merge(reports[i : i + batch], datetime.now(UTC) + timedelta(seconds=later))
    wall = time.perf_counter() - start
    inside = client.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0) / 1e6
    return wall, inside


def _prefill(client: redis.Redis, stored: int) -> None:
    """`stored` canonical events written through the merge script itself, 500 reports x 2 events a call."""
    client.flushall()
    filled = 0
    while filled < stored:
        chunk = _synthetic_reports(filled // 2, min(5000, (stored - filled) // 2), 2)
        _merge_all(client, chunk, 500)
        filled += 2 * len(chunk)


def bench_dedup(url: str, client: redis.Redis, quick: bool) -> None:
    print("dedup: merge cost per event with few and many stored events; near-duplicate vs exact-hash check")
    measured = 1000  # events per round: half new events, half new mentions of stored ones
    rounds = 3 if quick else 5
    wall: dict[int, float] = {}
    inside: dict[int, float] = {}
    for stored in (1000, 100_000):
        best_wall, best_inside = float("inf"), float("inf")
        for round_number in range(rounds):
            if stored <= 10_000 or round_number == 0:
                _prefill(client, stored)  # the small store is refilled so it stays small
            existing = [f"place-{n}" for n in range(0, stored, 2)]
            reports = _synthetic_reports(10_000_000 + round_number * measured, measured // 2, 2, reuse=existing)
            seconds, redis_seconds = _merge_all(client, reports, 100, later=60.0 * (round_number + 1))
            best_wall = min(best_wall, seconds / measured * 1e6)
            best_inside = min(best_inside, redis_seconds / measured * 1e6)
        wall[stored], inside[stored] = best_wall, best_inside
        row(f"merge per event, {stored:,} events stored (wall, worker side)", best_wall, "µs/event")
        row(f"merge per event, {stored:,} events stored (inside Redis)", best_inside, "µs/event")
    row("merge per event, 100,000 vs 1,000 stored (wall)", wall[100_000] / wall[1000], "x", "target ratio", 1.2)
    row("merge per event, 100,000 vs 1,000 stored (Redis)", inside[100_000] / inside[1000], "x", "target ratio", 1.2)

    from services.api.report_store import content_hash
    from workers.dedup import minhash
    from workers.dedup.event_store import ReportToMerge

    texts = corpus_texts()
    count = 5000 if quick else 20000
    docs = [(f"nd-{i}", f"outlet-{i % 7}", f"{texts[i % len(texts)]} [copy {i}]") for i in range(count)]
    client.flushall()
    start = time.perf_counter()
    with client.pipeline(transaction=False) as pipe:
        for i, (_, source, text) in enumerate(docs):
            pipe.set(f"sitrep:report-content:{content_hash(source, text)}", "x", nx=True, ex=3600)
            if i % 100 == 99:
                pipe.execute()
        pipe.execute()
    exact = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for _, _, text in docs:
        minhash.band_keys(minhash.signature(text))
    signature_only = count / (time.perf_counter() - start)
    client.flushall()
    with client.pipeline(transaction=False) as pipe:
        for report_id, _, _ in docs:
            pipe.hset(f"sitrep:report:{report_id}", "status", "queued")
        pipe.execute()
    start = time.perf_counter()
    from core.settings import WorkerSettings
    from workers.dedup.event_store import EventStore

    store = EventStore(client, WorkerSettings(redis_url="redis://unused"))
    client.config_resetstat()
    for i in range(0, count, 100):
        chunk = []
        for report_id, source, text in docs[i : i + 100]:
            values = minhash.signature(text)
            chunk.append(
                ReportToMerge(
                    report_id, source, "2017-10-14T12:00:00+00:00", minhash.to_hex(values), minhash.band_keys(values)
                )
            )
        store.merge(chunk, datetime.now(UTC))
    near = count / (time.perf_counter() - start)
    near_inside = client.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0) / count
    near_dups = sum(1 for i in range(count) if client.hexists(f"sitrep:report:nd-{i}", "near_duplicate_of"))
    row("exact-hash check (sha256 + SET NX, pipelined by 100)", exact, "reports/s")
    row("MinHash signature + LSH bands alone (Python)", signature_only, "reports/s", "exact-hash check", exact)
    row(
        "near-duplicate check (signature + LSH lookup/insert in the merge script)",
        near,
        "reports/s",
        "exact-hash check",
        exact,
    )
    row(
        "near-duplicate check, inside Redis (status, 16 bands, candidate compare, report fields)",
        near_inside,
        "µs/report",
    )
    row("near-duplicates found among corpus copies", near_dups / count * 100, "%")
    client.flushall()


def bench_extraction(quick: bool) -> None:
    print("extraction throughput on one core (scripts/bench_extract.py)")
    script = ROOT / "scripts" / "bench_extract.py"
    if not (ROOT.parent / "shared" / "eval" / "corpus.jsonl").is_file():
        print("  skipped: ../shared/eval/corpus.jsonl is not here")
        return
    done = subprocess.run(
        [sys.executable, str(script), "--seconds", "2" if quick else "5"],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print(done.stdout, end="")
    rates = dict(re.findall(r"^(\w+)[^:]*:\s+([\d.]+) MB/s", done.stdout, flags=re.M))
    if "extract_events" in rates and "tokenise" in rates:
        ours, ref = float(rates["extract_events"]), float(rates["tokenise"])
        row("extraction, one core", ours, "MB/s", "target 1 MB/s per core", 1.0)
        row("extraction vs a plain tokenisation pass", ours, "MB/s", "tokenise (regex)", ref)


def _admission_loop_microseconds(n: int = 200_000) -> float:
    """What the hot route pays for admission control: `check()` and `note()` on a fresh reading."""
    import asyncio

    import redis.asyncio

    from services.api.admission import Admission, Reading

    async def loop() -> float:
        admission = Admission(redis.asyncio.Redis(port=1), 100_000, 0.8, refresh_seconds=1e9)
        admission._read_at, admission.reading = time.monotonic(), Reading(10, 1000, 10**9)
        start = time.perf_counter()
        for _ in range(n):
            admission.check()
            admission.note(1, 3100)
        return (time.perf_counter() - start) / n * 1e6

    return asyncio.run(loop())


def bench_admission(url: str, client: redis.Redis, quick: bool) -> None:
    """The cost of admission control on the hot route: one API with it (limits high enough never to refuse,
    so every request still checks and readings are still taken), one with it off, runs interleaved."""
    print("admission: POST /v1/reports with admission control on vs off, wrk -t1 -c32, interleaved")
    row("admission check + note per request, in a loop", _admission_loop_microseconds(), "us")
    if not shutil.which("wrk"):
        print("  skipped: wrk is not installed (apt-get install wrk)")
        return
    ports = {"on": free_port(), "off": free_port()}
    limits = {
        "on": {"SITREP_ADMISSION_MAX_BACKLOG": "100000000", "SITREP_ADMISSION_MAX_MEMORY_SHARE": "0.99"},
        "off": {"SITREP_ADMISSION_MAX_BACKLOG": "0", "SITREP_ADMISSION_MAX_MEMORY_SHARE": "1"},
    }
    apis = [
        sitrep(
            "api",
            "--port",
            str(ports[name]),
            env={**ENV, "REDIS_URL": url, **limits[name]},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in ports
    ]
    script = _WRK_SINGLE % TEXT_3KB
    seconds = 5 if quick else 10
    rates: dict[str, list[float]] = {"on": [], "off": []}
    p99s: dict[str, list[float]] = {"on": [], "off": []}
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for port in ports.values():
            wait_http(f"http://127.0.0.1:{port}/healthz")
            run_wrk(f"http://127.0.0.1:{port}", script, 2, 32)  # warm up
        for round_number in range(3 if quick else 5):
            order = ("off", "on") if round_number % 2 == 0 else ("on", "off")  # no side always goes second
            for name in order:
                client.flushall()
                before = process_cpu_seconds(apis[list(ports).index(name)].pid)
                rate, _, p99 = run_wrk(f"http://127.0.0.1:{ports[name]}", script, seconds, 32)
                used = process_cpu_seconds(apis[list(ports).index(name)].pid) - before
                rates[name].append(rate)
                p99s[name].append(p99)
                cpu[name].append(used / (rate * seconds) * 1e6)
        print(f"  runs, req/s: on {[round(x) for x in rates['on']]}, off {[round(x) for x in rates['off']]}")
        print(f"  runs, API CPU us/request: on {[round(x) for x in cpu['on']]}, off {[round(x) for x in cpu['off']]}")
        row(
            "API CPU per POST, admission on (median run)",
            sorted(cpu["on"])[len(cpu["on"]) // 2],
            "us",
            "admission off",
            sorted(cpu["off"])[len(cpu["off"]) // 2],
        )
        on, off = sorted(rates["on"])[len(rates["on"]) // 2], sorted(rates["off"])[len(rates["off"]) // 2]
        row("POST /v1/reports, admission control on (median run)", on, "req/s", "admission control off", off)
        row(
            "POST /v1/reports p99, admission on (median run)",
            sorted(p99s["on"])[len(p99s["on"]) // 2],
            "ms",
            "admission off",
            sorted(p99s["off"])[len(p99s["off"]) // 2],
        )
    finally:
        stop(*apis)
        client.flushall()


def bench_fsync(url: str, client: redis.Redis, quick: bool) -> None:
    """The cost of `SITREP_REDIS_APPENDFSYNC=always` on ingest: two AOF Redis servers (always, everysec), an API
    on each, interleaved wrk runs."""
    print("fsync: POST /v1/reports on an AOF Redis with appendfsync always vs everysec, wrk -t1 -c32, interleaved")
    if not shutil.which("wrk"):
        print("  skipped: wrk is not installed (apt-get install wrk)")
        return
    script = _WRK_SINGLE % TEXT_3KB
    seconds = 5 if quick else 10
    rates: dict[str, list[float]] = {"always": [], "everysec": []}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {mode: EmbeddedRedis(data_dir=Path(tmp) / mode, appendfsync=mode) for mode in rates}
        apis: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
        try:
            for mode, server in servers.items():
                port = free_port()
                env = {**ENV, "REDIS_URL": server.start()}
                apis[mode] = (port, sitrep("api", "--port", str(port), env=env, stdout=subprocess.DEVNULL))
                wait_http(f"http://127.0.0.1:{port}/healthz")
                run_wrk(f"http://127.0.0.1:{port}", script, 2, 32)  # warm up
            for _ in range(2 if quick else 3):
                for mode in ("everysec", "always"):
                    redis.Redis.from_url(servers[mode].url).flushall()
                    rate, _, _ = run_wrk(f"http://127.0.0.1:{apis[mode][0]}", script, seconds, 32)
                    rates[mode].append(rate)
        finally:
            stop(*(process for _, process in apis.values()))
            for server in servers.values():
                server.stop()
    print(
        f"  runs, req/s: always {[round(x) for x in rates['always']]}, everysec {[round(x) for x in rates['everysec']]}"
    )
    always, everysec = (sorted(rates[mode])[len(rates[mode]) // 2] for mode in ("always", "everysec"))
    row("POST /v1/reports, appendfsync always (median run)", always, "req/s", "appendfsync everysec", everysec)


SECTIONS: dict[str, Callable[..., None]] = {
    "redis": bench_redis,
    "ingest": bench_ingest,
    "admission": bench_admission,
    "fsync": bench_fsync,
    "pipeline": bench_pipeline,
    "scaling": bench_scaling,
    "latency": bench_latency,
    "memory": bench_memory,
    "dedup": bench_dedup,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=[*SECTIONS, "extraction"], default=None)
    parser.add_argument("--quick", action="store_true", help="shorter runs, noisier figures")
    args = parser.parse_args()
    chosen = args.only or [*SECTIONS, "extraction"]
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(data_dir=Path(tmp), persistent=False)
        url = server.start()
        client = redis.Redis.from_url(url)
        try:
            for name in chosen:
                if name == "extraction":
                    bench_extraction(args.quick)
                elif name in ("redis",):
                    SECTIONS[name](client, args.quick)
                else:
                    SECTIONS[name](url, client, args.quick)
        finally:
            server.stop()
    print("\n| figure | value | reference | reference value | ratio |\n|---|---|---|---|---|")
    for figure, value, reference, ref_value, ratio in ROWS:
        print(f"| {figure} | {value} | {reference} | {ref_value} | {ratio} |")


if __name__ == "__main__":
    main()
