"""Webhook targets are pinned: the name is resolved once, checked, and the POST goes to that address.

A name that answers a public address to the check and a private one to the connection (DNS
rebinding) must get nothing: the connection never resolves the name again. The POST still carries
the name (`Host`, and for https the SNI and the certificate check).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable
from typing import Any

import pytest
import trustme

from core.delivery import addresses, webhooks
from core.errors import AddressRefused
from tests.delivery.conftest import Receiver


def test_a_url_is_bound_to_its_address_and_keeps_its_name() -> None:
    (target, *_) = addresses.pin("http://localhost:8000/hook?x=1", allow_private=True)
    assert target.url in ("http://127.0.0.1:8000/hook?x=1", "http://[::1]:8000/hook?x=1")
    assert target.host == "localhost:8000" and target.sni is None
    (secure, *_) = addresses.pin("https://user:secret@localhost/h", allow_private=True)
    assert secure.url in ("https://user:secret@127.0.0.1/h", "https://user:secret@[::1]/h")
    assert secure.host == "localhost" and secure.sni == "localhost"
    (literal,) = addresses.pin("https://[::1]:9443/h", allow_private=True)
    assert literal.url == "https://[::1]:9443/h" and literal.host == "[::1]:9443" and literal.sni is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://localhost:8000/hook", "resolves to"),
        ("http://10.1.2.3/hook", "not a public address"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_what_cannot_be_pinned_is_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(AddressRefused, match=why):
        addresses.pin(url, allow_private=False)


def test_a_name_that_rebinds_after_the_check_is_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that answers a public address first and loopback after: only the first answer is used."""
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    asked: list[str] = []

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (next(answers), 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    (target,) = addresses.pin("https://hook.rebind.test/h", allow_private=False)
    assert asked == ["hook.rebind.test"]
    assert target.url == "https://93.184.216.34/h" and target.host == "hook.rebind.test"
    assert target.sni == "hook.rebind.test"


def test_the_post_goes_to_the_pinned_address_with_the_name_in_host(receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory()
    port = receiver.url.split(":")[2].split("/")[0]
    # The name resolves nowhere: the request can only arrive if nothing resolves it again.
    target = addresses.Pinned("127.0.0.1", url=receiver.url, host=f"hook.invalid:{port}", sni=None)
    assert webhooks.post([target], b"{}", {"content-type": "application/json"}, 5.0) == (200, None)
    (request,) = receiver.wait_for(1)
    assert request.headers["host"] == f"hook.invalid:{port}"


def test_a_refused_address_falls_through_to_the_next(receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory()
    with socket.socket() as closed:  # a port nothing listens on: connecting is refused at once
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    targets = [
        addresses.Pinned("127.0.0.1", url=dead, host="hook", sni=None),
        addresses.Pinned("127.0.0.1", url=receiver.url, host="hook", sni=None),
    ]
    assert webhooks.post(targets, b"{}", {}, 5.0) == (200, None)
    code, error = webhooks.post(targets[:1], b"{}", {}, 5.0)
    assert code is None and error is not None and error.startswith("127.0.0.1: ConnectError")


def test_a_silent_address_times_out_and_falls_through_to_the_next(receiver_factory: Callable[..., Receiver]) -> None:
    receiver = receiver_factory()
    with socket.socket() as silent:  # listens but never accepts: the TLS handshake never completes
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        stalled = f"https://127.0.0.1:{silent.getsockname()[1]}/hook"
        targets = [
            addresses.Pinned("127.0.0.1", url=stalled, host="hook", sni="hook"),
            addresses.Pinned("127.0.0.1", url=receiver.url, host="hook", sni=None),
        ]
        assert webhooks.post(targets, b"{}", {}, 0.5) == (200, None)
    assert len(receiver.wait_for(1)) == 1


def test_addresses_of_both_families_alternate() -> None:
    found = [ipaddress.ip_address(a) for a in ("2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2")]
    assert [str(a) for a in addresses._interleaved(found)] == ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"]


def test_https_to_a_pinned_address_checks_the_certificate_against_the_name(
    receiver_factory: Callable[..., Receiver],
) -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("hook.example").configure_cert(server_context)  # valid for the name, not the address
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    receiver = receiver_factory(tls=server_context)
    named = addresses.Pinned("127.0.0.1", url=receiver.url, host="hook.example", sni="hook.example")
    assert webhooks.post([named], b"{}", {}, 5.0, verify=client_context) == (200, None)
    assert receiver.wait_for(1)[0].headers["host"] == "hook.example"
    other = addresses.Pinned("127.0.0.1", url=receiver.url, host="hook.example", sni="other.example")
    code, error = webhooks.post([other], b"{}", {}, 5.0, verify=client_context)
    assert code is None and error is not None and "certificate" in error.lower()
    bare = addresses.Pinned("127.0.0.1", url=receiver.url, host="hook.example", sni=None)  # checked against 127.0.0.1
    code, error = webhooks.post([bare], b"{}", {}, 5.0, verify=client_context)
    assert code is None and error is not None


def _redirecting_server(location: str) -> tuple[str, Callable[[], None]]:
    """An endpoint that answers every POST with a 307 to `location`."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(307)
            self.send_header("Location", location)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def close() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/hook", close


@pytest.mark.parametrize("form", ["127.0.0.1", "[::ffff:0:7f00:1]", "[::ffff:127.0.0.1]"])
def test_a_redirect_to_an_inside_address_is_not_followed(receiver_factory: Callable[..., Receiver], form: str) -> None:
    """A webhook endpoint may answer with a redirect to an address the guard would refuse (here a
    service on loopback, in three spellings): the attempt ends at the redirect, as a failure."""
    inside = receiver_factory()
    port = inside.url.split(":")[2].split("/")[0]
    url, close = _redirecting_server(f"http://{form}:{port}/internal")
    try:
        targets = addresses.pin(url, allow_private=True)  # the endpoint itself is on loopback in tests
        code, error = webhooks.post(targets, b"{}", {"content-type": "application/json"}, timeout_seconds=5)
    finally:
        close()
    assert code == 307 and error is not None and error.startswith("HTTP 307")
    assert inside.requests == []
    assert addresses.private_address(f"http://{form}:{port}/internal") is not None
