"""From a POSTed report to a signed webhook and an SSE event, through the real worker and notifier."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import redis

from core import keys
from services.cli.subscribe import read_sse
from tests.delivery.conftest import Receiver, process_env, start, stop
from tests.delivery.test_signing_and_filters import independent_signature
from tests.delivery.test_webhooks import (
    dispatcher,  # noqa: F401  (fixture)
    start_worker,
    subscribe,
)

REPORT = {
    "source": "Field desk",
    "published_at": "2017-10-14T15:00:00Z",
    "text": "Kurdish-led forces of the SDF seized the al-Nahda district of Raqqa from Islamic State fighters on "
    "Saturday, a coalition officer told the desk. Around 3,000 civilians remain trapped inside the city.",
}


def test_a_report_becomes_a_signed_webhook_and_an_sse_event(
    api_url: str,
    r: redis.Redis,
    redis_url: str,
    dispatcher: Any,  # noqa: F811
    receiver_factory: Callable[..., Receiver],
) -> None:
    receiver = receiver_factory(plan=[200])
    subscription = subscribe(api_url, receiver.url, filters={"place": ["raqqa"]})
    streamed: list[tuple[str | None, dict[str, Any]]] = []
    connected = threading.Event()

    def listen() -> None:
        with httpx.Client(timeout=httpx.Timeout(10, read=30)) as client:
            with client.stream("GET", f"{api_url}/v1/alerts/stream", params={"place": "raqqa"}) as response:
                lines = response.iter_lines()
                next(lines)  # the position comment: from here on nothing is missed
                connected.set()
                for _, event_id, data in read_sse(lines):
                    streamed.append((event_id, json.loads(data)))
                    if len(streamed) == 2:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10)
    worker = start_worker(redis_url)
    notifier = start(["notifier"], process_env(redis_url))
    try:
        # Its consumer group reads every event whenever it gets going: nothing to wait for here.
        threading.Thread(target=lambda: notifier.stdout and notifier.stdout.read(), daemon=True).start()
        assert httpx.post(f"{api_url}/v1/reports", json=REPORT, timeout=10).status_code == 202
        requests = receiver.wait_for(2, timeout_seconds=30)
        listener.join(timeout=20)
    finally:
        stop(notifier)
        stop(worker)
    logged: Any = r.xrange(keys.ALERTS_STREAM)
    bodies = {entry[1][b"alert"] for entry in logged}
    assert {request.body for request in requests} == bodies and len(bodies) == 2
    for request in requests:
        headers = request.headers
        assert headers["webhook-signature"] == independent_signature(
            subscription["secret"], headers["webhook-id"], headers["webhook-timestamp"], request.body
        )
    assert [event_id for event_id, _ in streamed] == [entry[0].decode() for entry in logged]
    assert {alert["type"] for _, alert in streamed} == {
        "sitrep.alert.control_changed",
        "sitrep.alert.civilian_threshold",
    }
