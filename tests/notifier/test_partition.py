"""A notifier whose link to Redis goes silent (a partition: no reply, no reset) keeps running and
recovers by itself once the link is back. Every call it makes may time out then, the lease renewal
included, which used to end the process (and with it `sitrep run`)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.redis_conn import sync_client
from core.settings import NotifierSettings
from services.notifier.consumer import Notifier
from tests.helpers import wait_until
from tests.notifier.conftest import event, kinds, push, rules_yaml


class SilentLink:
    """A TCP relay to Redis that can go silent: while `cut` is set it swallows what either side sends,
    and keeps every connection open, as a network partition does."""

    def __init__(self, upstream_port: int) -> None:
        self.cut = threading.Event()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._upstream_port = upstream_port
        self._sockets: list[socket.socket] = [self._server]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._upstream_port))
            self.connections += 1
            self._sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    return
                if not self.cut.is_set():
                    target.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def link(redis_url: str) -> Iterator[SilentLink]:
    relay = SilentLink(int(redis_url.rsplit(":", 1)[1].split("/")[0]))
    yield relay
    relay.close()


def test_a_notifier_recovers_from_a_silent_link(r: redis.Redis, link: SilentLink, tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{link.port}/0"
    settings = NotifierSettings(redis_url=url, consumer_name="n1", rules_file=str(rules_yaml(tmp_path / "r.yaml")))
    # The production client, with a reply timeout shorter than redis-py's 5 s so that the test is quick.
    notifier = Notifier(sync_client(url, socket_timeout=1.0), settings)
    runner = threading.Thread(target=notifier.run)
    runner.start()
    try:
        wait_until(lambda: r.exists("sitrep:notifier:leader"), what="the notifier to lead")
        push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-03-02T08:00:00Z")
        wait_until(lambda: len(kinds(r)) == 1, what="the first alert")
        link.cut.set()  # the notifier is now waiting on a link that says nothing
        before = link.connections
        # redis-py bounds a blocked read by itself; the connection it opens next says hello and waits for
        # the answer, which nothing but the socket timeout bounds. A second attempt shows it gave up.
        wait_until(lambda: link.connections >= before + 2, timeout_seconds=15, what="a reconnect to time out")
        link.cut.clear()
        push(r, event("control_change", "raqqa", "sdf", "islamic-state"), "2017-10-17T08:00:00Z")
        wait_until(lambda: len(kinds(r)) == 2, timeout_seconds=15, what="the alert after the link came back")
    finally:
        notifier.stop.set()
        link.cut.clear()
        runner.join(timeout=15)
    assert not runner.is_alive()
