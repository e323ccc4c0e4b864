"""One POST to a pinned address (core/delivery/addresses.py): the way every HTTP receiver is sent to.

Signed webhooks, Alertmanager, Slack, Mattermost and Telegram all go through `send`, so the SSRF
guard, the short timeouts and the one-POST-per-attempt rule hold for each of them alike.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from core.delivery import addresses

CONNECT_TIMEOUT_SECONDS = 3.0
RESPONSE_EXCERPT_BYTES = 300
MAX_RETRY_AFTER_SECONDS = 3600.0
"""A receiver asking to be left alone longer than this is waited for this long only (the retry schedule goes on)."""

HIDDEN_PATH = "/…"
"""What a logged URL's path, query and user info become: hook URLs and bot tokens are secrets there."""

TLS = httpx.create_ssl_context()
"""Made once per process (before the worker forks, as it imports this module first): building one costs
more than a local POST."""


def redacted(url: object) -> str:
    """A URL as logs may show it: scheme, host and port only (a path or user info may be a secret)."""
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.hostname:
        return str(url)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}{HIDDEN_PATH}"


class _RedactUrls(logging.Filter):
    """httpx logs each request's whole URL at INFO: show only where it went, never the secret in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redacted(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactUrls())


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the status code (None when nothing answered), why it failed, and how long
    the receiver asked us to wait (`Retry-After`, or Telegram's `retry_after`)."""

    code: int | None
    error: str | None = None
    retry_after: float | None = None
    accepted: bool | None = None
    """Set by receivers whose codes are not HTTP's (SMTP's 250), or that had nothing to send."""

    @property
    def ok(self) -> bool:
        if self.accepted is not None:
            return self.accepted
        return self.code is not None and 200 <= self.code < 300


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds (a number or an HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def budget_seconds(timeout_seconds: float) -> float:
    """The longest one `send` takes: a connect timeout per address tried, then a write and a read timeout."""
    return addresses.ADDRESSES_TRIED * CONNECT_TIMEOUT_SECONDS + 2 * timeout_seconds


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and handshake waits at most until the deadline: httpx's
    timeouts are per operation, so a server answering a byte at a time could hold a POST for ever."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self.stream = stream
        self.deadline = deadline

    def _left(self, timeout: float | None, late: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise late("the attempt's deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        secured = self.stream.start_tls(ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(secured, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens `_DeadlineStream`s."""

    def __init__(self, deadline: float) -> None:
        self.inner = httpcore.SyncBackend()
        self.deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("the attempt's deadline passed")
        wait = left if timeout is None else min(timeout, left)
        return _DeadlineStream(self.inner.connect_tcp(host, port, wait, local_address, socket_options), self.deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("receivers are reached over TCP only")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool whose connections keep the deadline."""

    def __init__(self, verify: ssl.SSLContext, deadline: float) -> None:
        super().__init__(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=verify, network_backend=_DeadlineBackend(deadline))


def send(
    targets: list[addresses.Pinned],
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    verify: ssl.SSLContext = TLS,
    deadline: float | None = None,
) -> Answer:
    """One POST to the first target that accepts a connection; reads at most a short excerpt of the answer.

    The next target is tried only when connecting failed or timed out (nothing was sent yet), so no
    attempt can POST twice. Proxy variables are ignored (`trust_env=False`): through a proxy, the
    address the guard checked would not be the one connected to. Everything ends by `deadline`
    (time.monotonic(); by default `budget_seconds` from now), however slowly the receiver answers.
    """
    timeout = httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds))
    until = deadline if deadline is not None else time.monotonic() + budget_seconds(timeout_seconds)
    failures: list[str] = []
    transport = _DeadlineTransport(verify, until)
    with httpx.Client(timeout=timeout, follow_redirects=False, transport=transport, trust_env=False) as client:
        for target in targets:
            request_headers = httpx.Headers(headers)
            request_headers["host"] = target.host
            extensions = {"sni_hostname": target.sni} if target.sni else None
            request = client.build_request(
                "POST", target.url, content=body, headers=request_headers, extensions=extensions
            )
            try:
                response = client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # the next address may answer
                failures.append(f"{target.address}: {type(error).__name__}: {error}")
                continue
            except httpx.HTTPError as error:
                return Answer(None, f"{target.address}: {type(error).__name__}: {error}"[:300])
            try:
                code = response.status_code
                if 200 <= code < 300:
                    return Answer(code)
                excerpt = b""
                for chunk in response.iter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= RESPONSE_EXCERPT_BYTES or time.monotonic() >= until:
                        break
                text = excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace").strip()
                wait = retry_after_seconds(response.headers.get("retry-after"))
                return Answer(code, f"HTTP {code}" + (f": {text}" if text else ""), wait)
            except httpx.HTTPError as error:
                return Answer(None, f"{target.address}: {type(error).__name__}: {error}"[:300])
            finally:
                response.close()
    return Answer(None, ("; ".join(failures) or "no address to send to")[:300])


def post(
    targets: list[addresses.Pinned],
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    verify: ssl.SSLContext = TLS,
) -> tuple[int | None, str | None]:
    """(status code, error) of `send`, the shape the webhook path has always used."""
    answer = send(targets, body, headers, timeout_seconds, verify)
    return answer.code, answer.error
