#!/usr/bin/env python3
"""Delivery figures: SSE latency (log -> client) with 1, 50 and 500 clients and what each delivery costs
the API and Redis, the dispatcher's enqueue rate, webhook end-to-end latency and throughput with real
workers and a local receiver.

Starts its own redis-server on a free port and its own processes. Usage:
python scripts/bench_delivery.py [--alerts N] [--workers W] [--sse-only]
"""

from __future__ import annotations

import argparse
import asyncio
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
sys.path.insert(0, str(ROOT / "scripts"))

import httpx  # noqa: E402
import redis  # noqa: E402
from bench import process_cpu_seconds, redis_cpu_seconds  # noqa: E402

from core import keys  # noqa: E402
from core.embedded_redis import EmbeddedRedis, free_port  # noqa: E402
from core.settings import DeliverySettings  # noqa: E402
from services.dispatcher import Dispatcher  # noqa: E402


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


def sse_latency(api: str, api_pid: int, client: redis.Redis, alerts: int, clients: int) -> None:
    """`clients` SSE streams (asyncio, one process) while alerts are logged every 2 ms: log->client latency,
    and what the API and Redis spend per alert delivered to one client."""
    latencies: list[float] = []

    async def run() -> None:
        limits = httpx.Limits(max_connections=clients + 10)
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=120), limits=limits) as http:
            opened = [asyncio.Event() for _ in range(clients)]

            async def listen(index: int) -> None:
                async with http.stream("GET", f"{api}/v1/alerts/stream", params={"place": "raqqa"}) as response:
                    got = 0
                    async for line in response.aiter_lines():
                        if line.startswith(":") and not opened[index].is_set():
                            opened[index].set()
                        elif line.startswith("data: "):
                            latencies.append((time.time() - json.loads(line[6:])["data"]["sent"]) * 1000)
                            got += 1
                            if got == alerts:
                                return

            tasks = [asyncio.create_task(listen(i)) for i in range(clients)]
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in opened)), 120)
            await asyncio.sleep(0.5)  # every stream past its catch-up, waiting live
            blocked = sum(1 for c in client.client_list() if "b" in c.get("flags", ""))
            connections = len(client.client_list())
            api_before, redis_before = process_cpu_seconds(api_pid), redis_cpu_seconds(client)

            def send() -> None:
                for number in range(alerts):
                    client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: alert(number)})
                    time.sleep(0.002)  # a steady trickle, not one burst: latency, not backlog

            await asyncio.to_thread(send)
            await asyncio.wait_for(asyncio.gather(*tasks), 300)
            deliveries = alerts * clients
            api_cpu = (process_cpu_seconds(api_pid) - api_before) / deliveries * 1e6
            redis_cpu = (redis_cpu_seconds(client) - redis_before) / deliveries * 1e6
            print(
                f"  {clients} SSE client(s): Redis connections {connections} ({blocked} blocked in XREAD); "
                f"per alert delivered to one client: API {api_cpu:.1f} µs, Redis {redis_cpu:.2f} µs CPU",
                flush=True,
            )

    asyncio.run(run())
    report(f"SSE log->client latency, {clients} client(s)", latencies)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-class", default="rq.worker.SimpleWorker", help="sitrep's default; rq.worker.Worker forks per job"
    )
    parser.add_argument("--sse-only", action="store_true", help="the SSE figures only")
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
            sse_latency(base, api.pid, client, args.alerts, 1)
            sse_latency(base, api.pid, client, args.alerts // 5, 50)
            sse_latency(base, api.pid, client, args.alerts // 10, 500)
            if args.sse_only:
                return 0

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
