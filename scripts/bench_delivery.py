#!/usr/bin/env python3
"""Delivery figures: SSE latency (log -> client) with 1 and 50 clients, dispatcher enqueue rate,
webhook end-to-end latency and throughput with real workers and a local receiver.

Starts its own redis-server on a free port and its own processes. Usage:
python scripts/bench_delivery.py [--alerts N] [--workers W]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402

from services import keys  # noqa: E402
from services.client_tools import read_sse  # noqa: E402
from services.delivery.dispatcher import Dispatcher  # noqa: E402
from services.embedded_redis import EmbeddedRedis, free_port  # noqa: E402
from services.settings import DeliverySettings  # noqa: E402


def alert(number: int) -> str:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": f"bench-{number}",
            "source": "urn:sitrep:bench",
            "type": "sitrep.alert.control_changed",
            "subject": "raqqa/al-nahda",
            "time": "2017-10-14T12:00:00Z",
            "datacontenttype": "application/json",
            "data": {"sent": time.time(), "summary": f"bench {number}", "place": {"id": "raqqa/al-nahda"}},
        }
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, latencies_ms: list[float]) -> None:
    print(
        f"  {name}: n={len(latencies_ms)} p50={statistics.median(latencies_ms):.1f} ms "
        f"p99={pct(latencies_ms, 0.99):.1f} ms max={max(latencies_ms):.1f} ms",
        flush=True,
    )


def sse_latency(api: str, client: redis.Redis, alerts: int, clients: int) -> None:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    ready = threading.Barrier(clients + 1)

    def listen(index: int) -> None:
        with httpx.Client(timeout=httpx.Timeout(10, read=60)) as http:
            with http.stream("GET", f"{api}/v1/alerts/stream", params={"place": "raqqa"}) as response:
                lines = response.iter_lines()
                next(lines)
                ready.wait()
                for _, _, data in read_sse(lines):
                    latencies[index].append((time.time() - json.loads(data)["data"]["sent"]) * 1000)
                    if len(latencies[index]) == alerts:
                        return

    threads = [threading.Thread(target=listen, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    for number in range(alerts):
        client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: alert(number)})
        time.sleep(0.002)  # a steady trickle, not one burst: latency, not backlog
    for thread in threads:
        thread.join(timeout=60)
    report(f"SSE log->client latency, {clients} client(s)", [v for per in latencies for v in per])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-class", default="rq.worker.SimpleWorker", help="sitrep's default; rq.worker.Worker forks per job"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        server = EmbeddedRedis(data_dir=Path(data), persistent=False)
        url = server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
        env.update(REDIS_URL=url, PYTHONPATH=str(ROOT))
        client = redis.Redis.from_url(url)
        port = free_port()
        api = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "api", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes = [api]
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(f"delivery benchmarks, {args.alerts} alerts, {os.cpu_count()} cores", flush=True)
            sse_latency(base, client, args.alerts, 1)
            sse_latency(base, client, args.alerts // 5, 50)

            # Webhooks: a receiver that notes arrival times.
            arrivals: dict[str, float] = {}
            done = threading.Event()

            class Handler(BaseHTTPRequestHandler):
                def do_POST(self) -> None:  # noqa: N802
                    body = self.rfile.read(int(self.headers["content-length"]))
                    arrivals[json.loads(body)["id"]] = time.time() - json.loads(body)["data"]["sent"]
                    self.send_response(204)
                    self.end_headers()
                    if len(arrivals) >= args.alerts:
                        done.set()

                def log_message(self, format: str, *rest: Any) -> None:
                    pass

            receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=receiver.serve_forever, daemon=True).start()
            client.delete(keys.ALERTS_STREAM)
            httpx.post(
                f"{base}/v1/subscriptions", json={"url": f"http://127.0.0.1:{receiver.server_address[1]}/h"}, timeout=10
            ).raise_for_status()

            # Dispatcher alone: enqueue rate.
            settings = DeliverySettings(redis_url=url)
            dispatcher = Dispatcher(redis.Redis.from_url(url), settings, consumer_name="bench")
            dispatcher.ensure_group()
            for number in range(args.alerts):
                client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: alert(number)})
            started = time.perf_counter()
            while dispatcher.step(block_milliseconds=None):
                pass
            elapsed = time.perf_counter() - started
            print(f"  dispatcher: {args.alerts / elapsed:,.0f} alerts/s queued (1 subscription)", flush=True)
            client.delete("rq:queue:sitrep-webhooks")
            client.delete(keys.ALERTS_STREAM)
            for key in client.scan_iter("sitrep:delivery:*"):
                client.delete(key)
            for key in client.scan_iter("rq:job:*"):
                client.delete(key)

            # End to end: log -> dispatcher -> RQ worker(s) -> receiver.
            worker_env = {**env}
            processes += [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "services.cli",
                        "worker",
                        "sitrep-webhooks",
                        "--worker-class",
                        args.worker_class,
                    ],
                    env=worker_env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(args.workers)
            ]
            dispatcher = Dispatcher(redis.Redis.from_url(url), settings, consumer_name="bench2")
            dispatcher.ensure_group()
            thread = threading.Thread(target=dispatcher.run, daemon=True)
            thread.start()
            time.sleep(3)  # let the workers start: this measures steady state, not imports
            arrivals.clear()
            started = time.perf_counter()
            for number in range(args.alerts):
                client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: alert(number)})
            done.wait(timeout=600)
            elapsed = time.perf_counter() - started
            print(
                f"  webhooks end to end, {args.workers} x {args.worker_class}: "
                f"{len(arrivals) / elapsed:,.0f} deliveries/s",
                flush=True,
            )
            report("webhook log->receiver latency under that burst", [v * 1000 for v in arrivals.values()])
            dispatcher.stop.set()
            receiver.shutdown()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
