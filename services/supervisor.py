"""`sitrep run`: the whole pipeline in one command, on an embedded Redis unless REDIS_URL is set.

Each part runs as its own process, exactly as a deployment would run it (`sitrep api`,
`sitrep worker`, `sitrep notifier`, `sitrep dispatcher`, `sitrep feeds poll`). A part that exits is
started again with backoff, and said so; an embedded Redis that dies is started again from its AOF.
Ctrl-C or SIGTERM stops them in order (the API and the feed poller first, so nothing new arrives; then
workers finish their jobs; then the notifier; Redis last), and every child is told by the kernel to die with us if we are killed
outright, so nothing is orphaned.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.embedded_redis import PASSWORD_FILE, EmbeddedRedis, stored_password
from core.errors import EmbeddedRedisFailed
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


RESTART_FIRST_SECONDS = 0.5
RESTART_MAX_SECONDS = 30.0
STEADY_SECONDS = 60.0
"""A child that ran this long before it exited is restarted after the first delay again."""


@dataclass
class Child:
    """One part of the pipeline, restarted with backoff (0.5 s, doubling to 30 s) whenever it exits."""

    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    due: float | None = None

    def start(self, env: dict[str, str]) -> None:
        self.process = _spawn(self.args, env)
        self.started = time.monotonic()
        self.due = None
        print(f"sitrep: {self.name} started (pid {self.process.pid})", flush=True)

    def watch(self, env: dict[str, str]) -> None:
        """Schedule a restart if it exited; start it again once that is due."""
        now = time.monotonic()
        if self.due is not None:
            if now >= self.due:
                self.start(env)
            return
        if self.process is None or self.process.poll() is None:
            return
        if now - self.started >= STEADY_SECONDS:
            self.restarts = 0
        delay = min(RESTART_FIRST_SECONDS * 2**self.restarts, RESTART_MAX_SECONDS)
        self.restarts += 1
        self.due = now + delay
        print(
            f"sitrep: {self.name} (pid {self.process.pid}) exited with {self.process.returncode};"
            f" restarting it in {delay:g} s (restart {self.restarts})",
            file=sys.stderr,
            flush=True,
        )


@dataclass
class RedisWatch:
    """Starts the embedded Redis again if it died: it replays its AOF (what was acknowledged, up to the last
    fsync: a second with `everysec`, nothing with `always`). A Redis that fails to come back (its port taken,
    a damaged AOF) is tried again with the children's backoff, not twice a second for ever."""

    embedded: EmbeddedRedis
    failures: int = 0
    due: float = 0.0

    def watch(self) -> None:
        process = self.embedded.process
        if process is None or process.poll() is None or time.monotonic() < self.due:
            return
        if self.failures == 0:
            print(
                f"sitrep: embedded Redis (pid {process.pid}) exited with {process.returncode};"
                " restarting it from its AOF",
                file=sys.stderr,
                flush=True,
            )
        try:
            self.embedded.start(timeout_seconds=120)  # the AOF replay of a large data set takes a while
        except EmbeddedRedisFailed as error:
            delay = min(RESTART_FIRST_SECONDS * 2**self.failures, RESTART_MAX_SECONDS)
            self.failures += 1
            self.due = time.monotonic() + delay
            print(
                f"sitrep: embedded Redis did not come back ({error}); trying again in {delay:g} s",
                file=sys.stderr,
                flush=True,
            )
            return
        self.failures = 0
        back = self.embedded.process
        print(f"sitrep: embedded Redis is back (pid {back.pid if back else '?'})", flush=True)


def run_pipeline(
    host: str,
    port: int,
    workers: int,
    data_dir: Path,
    redis_url: str | None,
    preflight: Callable[[str], object] | None = None,
    maxmemory_bytes: int | None = None,
    appendfsync: str = "everysec",
) -> int:
    """Start Redis (unless given), the API, `workers` workers, the notifier, the dispatcher and the feed poller;
    restart any of them that exits; stop all at a signal.

    `preflight(redis_url)` runs once Redis is up and before anything else starts; if it raises, Redis stops."""
    stop = stop_on_signals(threading.Event())

    embedded: EmbeddedRedis | None = None
    if not redis_url:
        embedded = EmbeddedRedis(
            data_dir=data_dir / "redis",
            port=int(os.environ.get("SITREP_EMBEDDED_REDIS_PORT", "0")),
            appendfsync=appendfsync,
            password=stored_password(data_dir),
        )
        if maxmemory_bytes:
            embedded.maxmemory_bytes = maxmemory_bytes
        redis_url = embedded.start()
        assert embedded.process is not None
        print(
            f"sitrep: embedded Redis at {embedded.address} (data in {data_dir / 'redis'}, AOF on, appendfsync"
            f" {appendfsync}, maxmemory {embedded.maxmemory_bytes >> 20} MiB, pid {embedded.process.pid});"
            f" its password is in {data_dir / PASSWORD_FILE}:"
            f" REDIS_URL=redis://:$(cat {data_dir / PASSWORD_FILE})@127.0.0.1:{embedded.port}/0",
            flush=True,
        )
    if preflight is not None:
        try:
            preflight(redis_url)
        except BaseException:
            if embedded is not None:
                embedded.stop()
            raise
    env = {**os.environ, "REDIS_URL": redis_url}
    api = Child("api", ["api", "--host", host, "--port", str(port)])
    pool = [
        Child(f"worker {n + 1} ({','.join(queues)})", ["worker", *queues])
        for n, queues in enumerate(worker_queues(workers, WorkerSettings(redis_url=redis_url)))
    ]
    notifier = Child("notifier", ["notifier"])
    dispatcher = Child("dispatcher", ["dispatcher"])
    poller = Child("feed poller", ["feeds", "poll"])
    children = [api, poller, *pool, notifier, dispatcher]
    for child in children:
        child.start(env)
    print(
        f"sitrep: API on http://{host}:{port} (the board at /, docs at /docs), {workers} worker(s) + 1 for webhooks,"
        " 1 notifier, 1 dispatcher, 1 feed poller; a part that exits is restarted;"
        " Ctrl-C stops all",
        flush=True,
    )

    redis_watch = RedisWatch(embedded) if embedded is not None else None

    def watch() -> None:
        if redis_watch is not None:
            redis_watch.watch()
        for child in children:
            child.watch(env)
        stop.wait(0.5)  # nothing to await for a set of children and a signal at once; a slow poll is enough

    try:
        run_until_stopped(stop, watch, lambda error: None)
    finally:
        processes = [child.process for child in children if child.process is not None]
        for entry in (api, poller):  # nothing new arrives from here on
            if entry.process is not None:
                _stop(entry.process, 10)
        for child in pool:
            if child.process is not None and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)  # all workers start their warm shutdown at once
        for child in pool:
            if child.process is not None:
                _stop(child.process, 200)
        for process in processes:
            _stop(process, 10)
        if embedded is not None:
            embedded.stop()
        print("sitrep: stopped", flush=True)
    return 0
