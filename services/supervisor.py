"""`sitrep run`: the whole pipeline in one command, on an embedded Redis unless REDIS_URL is set.

Each part runs as its own process, exactly as a deployment would run it (`sitrep api`,
`sitrep worker`, `sitrep notifier`, `sitrep dispatcher`). Ctrl-C or SIGTERM stops them in order (the API first, so
nothing new arrives; then workers finish their jobs; then the notifier; Redis last), and every
child is told by the kernel to die with us if we are killed outright, so nothing is orphaned.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from core.embedded_redis import EmbeddedRedis
from core.processes import spawn_child
from core.service_loop import run_until_stopped, stop_on_signals
from core.settings import WorkerSettings

log = logging.getLogger(__name__)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return spawn_child([sys.executable, "-m", "services.cli", *args], env)


def _stop(process: subprocess.Popen[bytes], timeout_seconds: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        log.warning("pid %s did not stop in %ss; killing it", process.pid, timeout_seconds)
        process.kill()
        process.wait()


def worker_queues(workers: int, settings: WorkerSettings) -> list[list[str]]:
    """The queues of each worker `run` starts: `workers` on reports only, and one more on webhook
    deliveries first and reports when it has none. A delivery to a slow endpoint can hold a worker
    for its whole timeout (10 s by default); it must never hold the workers that extract reports."""
    return [[settings.queue_name] for _ in range(workers)] + [[settings.webhook_queue_name, settings.queue_name]]


def run_pipeline(
    host: str,
    port: int,
    workers: int,
    data_dir: Path,
    redis_url: str | None,
    preflight: Callable[[str], object] | None = None,
) -> int:
    """Start Redis (unless given), the API, `workers` workers, the notifier and the dispatcher; wait for a signal.

    `preflight(redis_url)` runs once Redis is up and before anything else starts; if it raises, Redis stops."""
    stop = stop_on_signals(threading.Event())

    embedded: EmbeddedRedis | None = None
    if not redis_url:
        embedded = EmbeddedRedis(
            data_dir=data_dir / "redis", port=int(os.environ.get("SITREP_EMBEDDED_REDIS_PORT", "0"))
        )
        redis_url = embedded.start()
        print(f"sitrep: embedded Redis at {redis_url} (data in {data_dir / 'redis'}, AOF on)", flush=True)
    if preflight is not None:
        try:
            preflight(redis_url)
        except BaseException:
            if embedded is not None:
                embedded.stop()
            raise
    env = {**os.environ, "REDIS_URL": redis_url}
    api = _spawn(["api", "--host", host, "--port", str(port)], env)
    pool = [_spawn(["worker", *queues], env) for queues in worker_queues(workers, WorkerSettings(redis_url=redis_url))]
    notifier = _spawn(["notifier"], env)
    dispatcher = _spawn(["dispatcher"], env)
    children = [api, *pool, notifier, dispatcher]
    print(
        f"sitrep: API on http://{host}:{port} (docs at /docs), {workers} worker(s) + 1 for webhooks, 1 notifier,"
        " 1 dispatcher;"
        " Ctrl-C stops all",
        flush=True,
    )
    exited: list[subprocess.Popen[bytes]] = []

    def watch() -> None:
        exited.extend(child for child in children if child.poll() is not None)
        if exited:
            stop.set()
        else:
            stop.wait(0.5)  # nothing to await for a set of children and a signal at once; a slow poll is enough

    try:
        run_until_stopped(stop, watch, lambda error: None)
        if exited:
            print(f"sitrep: a process exited unexpectedly ({exited[0].args!r}); stopping", file=sys.stderr)
    finally:
        _stop(api, 10)
        for worker in pool:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)  # all workers start their warm shutdown at once
        for worker in pool:
            _stop(worker, 200)
        _stop(notifier, 10)
        _stop(dispatcher, 10)
        if embedded is not None:
            embedded.stop()
        print("sitrep: stopped", flush=True)
    return 1 if exited else 0
