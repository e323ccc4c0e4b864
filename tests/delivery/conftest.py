"""Delivery fixtures: alerts written to the log as the notifier writes them, an API server, a receiver."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis

from core import keys
from core.delivery import sealing
from core.embedded_redis import EmbeddedRedis, free_port
from core.settings import DeliverySettings
from schemas.alerts import Alert, AlertData
from services.dispatcher import Dispatcher
from tests.conftest import REPO, sitrep_command
from tests.delivery.receivers import Answer, FakeHttp
from tests.helpers import wait_for_line

FAST_RETRIES = "0.3,0.3,0.3,0.3"


def make_alert(number: int, place: str = "raqqa", kind: str = "control_changed", category: str | None = None) -> str:
    """An alert as the notifier would log it: CloudEvents JSON with a made-up but valid body."""
    extra: dict[str, Any] = {"category": category, "level": 1000, "direction": "up"} if category else {}
    data = AlertData(
        place={"id": place, "name": place.rsplit("/", 1)[-1].title(), "parent": None},
        after={"controller": f"side-{number}"},
        events=[f"ev-{number}"],
        reports=[f"rep-{number}"],
        sources=["Test desk"],
        summary=f"Test alert number {number} about {place}",
        fingerprint=f"fp-{number}-{place}-{kind}",
        **extra,
    )
    alert = Alert(
        id=f"fp-{number}-{place}-{kind}",
        source="urn:sitrep:test",
        type=f"sitrep.alert.{kind}",  # type: ignore[arg-type]
        subject=place,
        time="2017-10-14T12:00:00Z",  # type: ignore[arg-type]
        data=data,
    )
    return json.dumps(alert.model_dump(mode="json"))


def log_alert(client: redis.Redis, payload: str) -> str:
    """Append to the alert log and publish, as services/notifier/emitter.py does; returns the stream id."""
    entry_id = client.xadd(keys.ALERTS_STREAM, {keys.ALERTS_STREAM_FIELD: payload})
    client.publish(keys.ALERTS_CHANNEL, payload)
    return str(entry_id.decode())  # type: ignore[union-attr]


def process_env(redis_url: str, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SITREP_")}
    env.update(REDIS_URL=redis_url, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env["SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = "true"  # the receivers listen on 127.0.0.1
    env.update(settings)
    return env


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        sitrep_command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO
    )


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def api_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    """One API process per module (it keeps no state of its own; each test flushes Redis)."""
    port = free_port()
    env = process_env(redis_server.url, SITREP_SSE_HEARTBEAT_SECONDS="0.5", SITREP_WEBHOOK_RETRY_SECONDS=FAST_RETRIES)
    process = start(["api", "--port", str(port)], env)
    try:
        wait_for_line(process, "Application startup complete")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """A webhook endpoint on a free port. `plan` gives the status of each request in order of arrival (the
    last one repeats), so two requests at once never both get the first status; `hang_seconds` makes it
    answer late."""

    plan: list[int] = field(default_factory=lambda: [200])
    hang_seconds: float = 0.0
    requests: list[Received] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout_seconds: float = 20.0) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout_seconds):
                raise AssertionError(f"{len(self.requests)} requests arrived, wanted {count}")
            return list(self.requests)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                index = len(receiver.arrivals)
                status = receiver.plan[min(index, len(receiver.plan) - 1)]
                receiver.arrivals.append(time.monotonic())
                receiver.wall.append(time.time())
            if receiver.hang_seconds:
                threading.Event().wait(receiver.hang_seconds)  # a slow endpoint: that is the point here
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            try:
                self.wfile.write(b"ok")
            except OSError:
                pass
            with receiver.arrived:
                receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body, status))
                receiver.arrived.notify_all()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def make(plan: list[int] | None = None, hang_seconds: float = 0.0, tls: ssl.SSLContext | None = None) -> Receiver:
        receiver = Receiver(plan=plan or [200], hang_seconds=hang_seconds)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        server.daemon_threads = True
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/hook"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return receiver

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str | None], None]]:
    """Set (or unset, with None) the sealing keys for one test; the cached key ring is rebuilt each time."""

    def use(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("SITREP_WEBHOOK_SECRET_KEYS", raising=False)
        else:
            monkeypatch.setenv("SITREP_WEBHOOK_SECRET_KEYS", value)
        sealing.configured.cache_clear()

    yield use
    sealing.configured.cache_clear()


@pytest.fixture
def fakes() -> Iterator[Callable[..., FakeHttp]]:
    """Fake HTTP receivers on 127.0.0.1, each answering by its plan (200 when none is given); all stopped after."""
    made: list[FakeHttp] = []

    def make(*plan: Answer) -> FakeHttp:
        fake = FakeHttp(list(plan) or [Answer(200)]).start()
        made.append(fake)
        return fake

    yield make
    for fake in made:
        fake.stop()


@contextmanager
def dispatcher_running(redis_url: str, settings: DeliverySettings, name: str) -> Iterator[Dispatcher]:
    """The real dispatcher loop in a thread of the test process, stopped and closed after."""
    running = Dispatcher(redis.Redis.from_url(redis_url), settings, consumer_name=name)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.stop.set()
    thread.join(timeout=10)
    running.connection.close()
