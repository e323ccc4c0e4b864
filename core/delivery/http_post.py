"""One POST to a pinned address (core/delivery/addresses.py): the way every HTTP receiver is sent to.

Signed webhooks, Alertmanager, Slack, Mattermost and Telegram all go through `send`, so the SSRF
guard, the short timeouts and the one-POST-per-attempt rule hold for each of them alike.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from core.delivery import addresses

CONNECT_TIMEOUT_SECONDS = 3.0
RESPONSE_EXCERPT_BYTES = 300
MAX_RETRY_AFTER_SECONDS = 3600.0
"""A receiver asking to be left alone longer than this is waited for this long only (the retry schedule goes on)."""

TLS = httpx.create_ssl_context()
"""Made once per process (before the worker forks, as it imports this module first): building one costs
more than a local POST."""


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
            import time

            seconds = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def send(
    targets: list[addresses.Pinned],
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
    verify: ssl.SSLContext = TLS,
) -> Answer:
    """One POST to the first target that accepts a connection; reads at most a short excerpt of the answer.

    The next target is tried only when connecting failed or timed out (nothing was sent yet), so no
    attempt can POST twice. Proxy variables are ignored (`trust_env=False`): through a proxy, the
    address the guard checked would not be the one connected to.
    """
    timeout = httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds))
    failures: list[str] = []
    with httpx.Client(timeout=timeout, follow_redirects=False, verify=verify, trust_env=False) as client:
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
                    if len(excerpt) >= RESPONSE_EXCERPT_BYTES:
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
