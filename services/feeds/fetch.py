"""One guarded GET of a feed or an article page: the SSRF guard on every hop, a size and a time budget.

The URL's host is checked and pinned (core/delivery/addresses.py, the webhooks' guard) before each
request, redirects included, so a feed cannot make sitrep read from loopback, a private network or a
metadata address unless the operator allows it. The whole fetch, body included, must finish within
its budget and stay under its size cap; a server that dribbles bytes or sends too many is cut off.
The body is read raw and inflated here, at most up to the cap: identity, gzip or deflate, one of them.
"""

from __future__ import annotations

import email.utils
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from urllib.parse import urljoin

import httpx

from core.delivery import addresses
from core.errors import AddressRefused, FetchFailed

MAX_REDIRECTS = 5
CONNECT_TIMEOUT_SECONDS = 5.0
ALLOW_SETTING = "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES"


@dataclass(frozen=True)
class Fetched:
    """What a GET gave: 200 with a body, or 304 (nothing changed since the validators sent)."""

    status: int
    url: str
    """The URL the body came from (after redirects)."""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds from now: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """GETs with the guard; one httpx client (its connection pool) shared by the threads that poll."""

    def __init__(self, allow_private: bool, user_agent: str) -> None:
        self.allow_private = allow_private
        self.user_agent = user_agent
        # No proxies from the environment: through one, the address checked is not the one connected to.
        self._client = httpx.Client(follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def get(
        self, url: str, timeout_seconds: float, max_bytes: int, validators: dict[str, str] | None = None
    ) -> Fetched:
        """GET `url` (with `If-None-Match` / `If-Modified-Since` from `validators`); raises FetchFailed."""
        deadline = time.monotonic() + timeout_seconds
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, deadline, validators)
            try:
                if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    if not url.startswith(("http://", "https://")):
                        raise FetchFailed(f"redirected to {url!r}, which is not http(s)")
                    continue
                headers = {name.lower(): value for name, value in response.headers.items()}
                if response.status_code == 304:
                    return Fetched(304, url, headers=headers)
                if response.status_code != 200:
                    wait = retry_after_seconds(response.headers.get("retry-after"))
                    raise FetchFailed(f"HTTP {response.status_code} from {url}", response.status_code, wait)
                return Fetched(200, url, self._read(response, url, deadline, max_bytes), headers)
            finally:
                response.close()
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _send(self, url: str, deadline: float, validators: dict[str, str] | None) -> httpx.Response:
        try:
            targets = addresses.pin(url, self.allow_private)
        except AddressRefused as error:
            raise FetchFailed(f"{error} (set {ALLOW_SETTING}=true to allow private and loopback feeds)") from None
        failures: list[str] = []
        for target in targets:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            headers = httpx.Headers({"user-agent": self.user_agent, "accept-encoding": "gzip, deflate"})
            headers["host"] = target.host
            for name, value in (validators or {}).items():
                headers[name] = value
            extensions = {"sni_hostname": target.sni} if target.sni else None
            timeout = httpx.Timeout(remaining, connect=min(CONNECT_TIMEOUT_SECONDS, remaining))
            request = self._client.build_request("GET", target.url, headers=headers, extensions=extensions)
            request.extensions["timeout"] = timeout.as_dict()
            try:
                return self._client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # another address may answer
                failures.append(f"{target.address}: {type(error).__name__}")
            except httpx.HTTPError as error:
                raise FetchFailed(f"{url}: {type(error).__name__}: {error}"[:300]) from None
        raise FetchFailed(f"{url}: " + ("; ".join(failures) or "out of time before connecting"))

    @staticmethod
    def _read(response: httpx.Response, url: str, deadline: float, max_bytes: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchFailed(f"{url}: {declared} bytes, over the limit of {max_bytes}")
        decoder = _Decoder(response.headers.get("content-encoding", ""), url, max_bytes)
        received = 0
        try:
            for raw in response.iter_raw():
                received += len(raw)
                if received > max_bytes:
                    raise FetchFailed(f"{url}: over the limit of {max_bytes} bytes")
                decoder.feed(raw)
                if time.monotonic() > deadline:
                    raise FetchFailed(f"{url}: not read within its time budget")
        except httpx.HTTPError as error:
            raise FetchFailed(f"{url}: {type(error).__name__}: {error}"[:300]) from None
        return decoder.finish()


class _Decoder:
    """Undoes one content coding while counting: never more than the cap is inflated, so a compressed
    bomb stops at the cap, not after a whole chunk (httpx's own decoding inflates each chunk fully)."""

    def __init__(self, encoding: str, url: str, max_bytes: int) -> None:
        codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        codings = [coding for coding in codings if coding != "identity"]
        if len(codings) > 1:
            raise FetchFailed(f"{url}: more than one content encoding ({encoding}) is refused")
        self.coding = codings[0] if codings else "identity"
        if self.coding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchFailed(f"{url}: content encoding {self.coding!r} is not supported")
        self.url = url
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self._inflater: Any = None
        if self.coding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> None:
        if self.coding == "identity":
            self._keep(data)
            return
        if self.coding == "deflate" and self._inflater is None:
            # "deflate" is meant to be zlib-wrapped; some servers send it raw: the first bytes tell.
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        if self._inflater.eof:
            return  # bytes after the end of the compressed stream are ignored, as httpx does
        try:
            self._keep(self._inflater.decompress(data, max_length=self.max_bytes - self.size + 1))
        except zlib.error as error:
            raise FetchFailed(f"{self.url}: the {self.coding} body is corrupt ({error})") from None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FetchFailed(f"{self.url}: over the limit of {self.max_bytes} bytes")
        self.parts.append(data)

    def finish(self) -> bytes:
        if self._inflater is not None:
            try:
                self._keep(self._inflater.flush())
            except zlib.error as error:
                raise FetchFailed(f"{self.url}: the {self.coding} body is corrupt ({error})") from None
        return b"".join(self.parts)


def _zlib_header(data: bytes) -> bool:
    """Whether the bytes begin with a zlib header (deflate method, checksum of the two bytes valid)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
