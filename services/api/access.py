"""Who may call which route: every route's scope, media types and body cap, checked before it runs.

`POLICY` names each (method, path) the app serves; `install` wraps every route's handler in a guard and
refuses to build an app with a route it does not name, so a new route cannot go out unguarded. The
guard answers 401 (no key, unknown or revoked key), 403 (a key without the scope), 415 (a body that is
not of a type the route takes) and 413 (a body over the route's cap, read before anything parses it).
With no API key in Redis, an API allowed to be open (loopback, or --insecure-open) serves everyone.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import orjson
import redis
import redis.asyncio
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import api_keys, defaults
from core.api_keys import ApiKey, Verdict
from core.errors import ExposedWithoutKey
from core.rate_limit import RateLimiter
from services.api.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from services.api.problems import problem_body

log = logging.getLogger(__name__)

JSON = frozenset({"application/json"})
JSON_OR_YAML = frozenset({"application/json", "application/yaml", "application/x-yaml", "text/yaml"})
QUERY_KEY = "access_token"
"""The query parameter that carries a key where a header cannot (a browser's EventSource)."""


@dataclass(frozen=True)
class Access:
    """What a route asks of a request. `scope` None: anyone (probes, the API's own docs)."""

    scope: api_keys.Scope | None
    media_types: frozenset[str] = frozenset()
    """Non-empty: the route reads a body, which must be one of these types (else 415)."""
    max_body_bytes: int | None = None
    """The guard reads the body with this cap (413 above it); None: the route caps it itself, or takes none."""
    query_key: bool = False
    """Also take the key from `?access_token=` (SSE only: it ends up in proxies' and browsers' logs)."""
    own_reports: bool = False
    """An `ingest` key may also call it for a report of its own namespace (`{name}:...`, path parameter
    `report_id`): the `status_url` of its 202 answers it, without the `read` scope over everything."""


PUBLIC = Access(None)
READ = Access("read")
ADMIN = Access("admin")
SMALL_BODY_BYTES = 64 * 1024

POLICY: dict[tuple[str, str], Access] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/livez"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # The board's page and files: public, since the page is what asks for a key; its data routes need `read`.
    ("GET", "/"): PUBLIC,
    ("GET", "/board/board.js"): PUBLIC,
    ("GET", "/board/board.css"): PUBLIC,
    ("GET", "/v1/map/outlines"): READ,
    # The report POSTs cap their bodies themselves (SITREP_MAX_BODY_BYTES, SITREP_MAX_BATCH_BODY_BYTES).
    ("POST", "/v1/reports"): Access("ingest", JSON),
    ("POST", "/v1/reports/batch"): Access("ingest", JSON),
    ("GET", "/v1/reports/{report_id}"): Access("read", own_reports=True),
    # Routes of issue 15's other half (branch `bounded`): declared here ahead of the merge.
    ("GET", "/v1/reports"): READ,
    ("POST", "/v1/reports/retry"): Access("admin", JSON, 1_000_000),
    ("GET", "/v1/events"): READ,
    ("GET", "/v1/events.csv"): READ,
    ("GET", "/v1/events.geojson"): READ,
    ("GET", "/v1/events.jsonl"): READ,
    ("GET", "/v1/events/{event_id}"): READ,
    ("GET", "/v1/situation"): READ,
    ("GET", "/v1/situation/{place_id:path}"): READ,
    ("GET", "/v1/places"): READ,
    ("GET", "/v1/places/{place_id:path}"): READ,
    ("GET", "/v1/alerts"): READ,
    ("GET", "/v1/alerts/stream"): Access("read", query_key=True),
    ("GET", "/metrics"): READ,
    ("GET", "/v1/rules"): READ,
    ("PUT", "/v1/rules"): Access("admin", JSON_OR_YAML, 1_000_000),
    ("GET", "/v1/silences"): READ,
    ("POST", "/v1/silences"): Access("admin", JSON, SMALL_BODY_BYTES),
    ("DELETE", "/v1/silences/{silence_id}"): ADMIN,
    ("POST", "/v1/subscriptions"): Access("admin", JSON, SMALL_BODY_BYTES),
    ("GET", "/v1/subscriptions"): ADMIN,
    ("GET", "/v1/subscriptions/{subscription_id}"): ADMIN,
    ("DELETE", "/v1/subscriptions/{subscription_id}"): ADMIN,
    ("POST", "/v1/subscriptions/{subscription_id}/enable"): ADMIN,
    ("GET", "/v1/subscriptions/{subscription_id}/deliveries"): ADMIN,
    ("GET", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}"): ADMIN,
    ("POST", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay"): ADMIN,
    ("GET", "/v1/keys"): ADMIN,
    ("POST", "/v1/keys"): Access("admin", JSON, SMALL_BODY_BYTES),
    ("DELETE", "/v1/keys/{key_id}"): ADMIN,
    ("POST", "/v1/feeds"): Access("admin", JSON, SMALL_BODY_BYTES),
    ("GET", "/v1/feeds"): ADMIN,
    ("GET", "/v1/feeds/{feed_id}"): ADMIN,
    ("DELETE", "/v1/feeds/{feed_id}"): ADMIN,
}


class Authenticator:
    """Finds the key a request carries, remembering what it read for API_KEY_CACHE_SECONDS."""

    def __init__(
        self, allow_open: bool, cache_seconds: float = defaults.API_KEY_CACHE_SECONDS, local_hosts_only: bool = False
    ) -> None:
        self.allow_open = allow_open
        # Open because bound to loopback: serve only requests addressed to a loopback name, so a web page
        # whose name is repointed to 127.0.0.1 (DNS rebinding) cannot use the open API from a browser.
        self.local_hosts_only = local_hosts_only
        self._cache_seconds = cache_seconds
        self._any_key: tuple[bool, float] = (False, 0.0)
        self._verdicts: dict[bytes, tuple[Verdict, ApiKey | None, float]] = {}
        self._active: dict[str, tuple[bool, float]] = {}

    async def keys_exist(self, client: redis.asyncio.Redis) -> bool:
        known, until = self._any_key
        now = time.monotonic()
        if now >= until:
            known = await api_keys.any_active(client)
            self._any_key = (known, now + self._cache_seconds)
        return known

    async def check(self, client: redis.asyncio.Redis, token: str) -> tuple[Verdict, ApiKey | None]:
        remembered = api_keys.digest(token)  # the cache holds hashes, never keys
        now = time.monotonic()
        cached = self._verdicts.get(remembered)
        if cached is not None and now < cached[2]:
            return cached[0], cached[1]
        verdict, record = await api_keys.check(client, token)
        if len(self._verdicts) >= 10_000:  # a flood of made-up keys must not grow the cache for ever
            self._verdicts.clear()
        self._verdicts[remembered] = (verdict, record, now + self._cache_seconds)
        return verdict, record

    async def still_admitted(self, client: redis.asyncio.Redis, key: ApiKey | None) -> bool:
        """Whether a request let in earlier would be let in now: its key still active or, let in open with
        no key, still no key at all. For answers that last (the SSE stream); remembered as long as a verdict."""
        if key is None:
            return not await self.keys_exist(client)
        now = time.monotonic()
        remembered = self._active.get(key.id)
        if remembered is None or now >= remembered[1]:
            if len(self._active) >= 10_000:
                self._active.clear()
            remembered = (await api_keys.is_active(client, key.id), now + self._cache_seconds)
            self._active[key.id] = remembered
        return remembered[0]

    def forget(self) -> None:
        """Drop what this process remembers (after a revoke or create through it)."""
        self._verdicts.clear()
        self._active.clear()
        self._any_key = (False, 0.0)


def _answer(status_code: int, detail: str, headers: dict[str, str] | None = None) -> list[Message]:
    body = orjson.dumps(problem_body(status_code, detail))
    raw_headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status_code, "headers": raw_headers},
        {"type": "http.response.body", "body": body},
    ]


def _unauthorized(detail: str, error: str | None = None) -> list[Message]:
    challenge = 'Bearer realm="sitrep"' + (f', error="{error}"' if error else "")
    return _answer(401, detail, {"WWW-Authenticate": challenge})


def redis_error_detail(method: str, error: redis.RedisError) -> str:
    """What a 503 says when Redis failed: whether a write may have happened."""
    writes = method in ("POST", "PUT", "PATCH", "DELETE")
    if isinstance(error, redis.TimeoutError):
        # The command may have run after all (its reply was late): say so; a resend is recognised
        # by its id or its text, so resending is safe.
        return "Redis did not answer in time" + (
            "; a write may or may not have happened, and resending is safe" if writes else ""
        )
    return "Redis is unavailable" + (", nothing was stored" if writes else "")


def _media_type(value: str) -> str:
    kind = value.split(";", 1)[0].strip().lower()
    return "application/json" if kind.startswith("application/") and kind.endswith("+json") else kind


def _owns(key: ApiKey, path_params: dict[str, str]) -> bool:
    """Whether an `ingest` key sent the report the path names (its ids are `{name}:{id}`)."""
    return key.allows("ingest") and path_params.get("report_id", "").startswith(f"{key.namespace}:")


@dataclass(frozen=True)
class _Entry:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    access: Access


class Guard:
    """ASGI middleware: finds the request's route in the app's order (as the router will), then
    authenticates, authorises and checks the body before the route runs. A path no route serves passes
    untouched, for the router's 404 or 405."""

    def __init__(
        self, app: ASGIApp, entries: list[_Entry], auth: Authenticator, limiter: RateLimiter | None = None
    ) -> None:
        self.app = app
        self.entries = entries
        self.auth = auth
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and _router_serves(scope):  # POLICY names no websocket: none is served
            log.error("websocket %s reaches a route the access policy does not name: refused", scope["path"])
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        path = _route_path(scope)
        access: Access | None = None
        path_params: dict[str, str] = {}
        for entry in self.entries:
            match = entry.pattern.match(path) if method in entry.methods else None
            if match is not None:
                access, path_params = entry.access, match.groupdict()
                break
        if access is None:
            if _router_serves(scope):  # added after install, or matched differently: refused, never let through
                log.error("%s %s reaches a route the access policy does not name: refused", method, path)
                return await _send(send, _answer(500, "this route has no access policy; it is refused"))
            return await self.app(scope, receive, send)
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        if access.scope is not None:
            try:
                refusal = await self._authorise(scope, headers, access, path_params)
                if refusal is None and self.limiter is not None:
                    refusal, send = await self._limit(scope, send)
            except redis.RedisError as error:
                log.warning("redis error while checking an API key on %s %s: %s", method, path, error)
                detail = redis_error_detail(scope["method"], error)
                refusal = _answer(503, f"{detail}: {type(error).__name__}", {"Retry-After": "1"})
            if refusal is not None:
                return await _send(send, refusal)
        if access.media_types or (method in ("POST", "PUT", "PATCH") and b"content-type" in headers):
            # A body-less POST is refused too when it claims a form or text body: that is what a web page
            # can send cross-site without asking first.
            wanted_types = access.media_types or JSON
            kind = _media_type(headers.get(b"content-type", b"").decode("latin-1"))
            if kind not in wanted_types:
                wanted = " or ".join(sorted(wanted_types))
                return await _send(send, _answer(415, f"send the body as {wanted}"))
        if access.max_body_bytes is not None:
            body = await _read_capped(receive, headers, access.max_body_bytes)
            if body is None:
                return await _send(send, _answer(413, f"body over {access.max_body_bytes} bytes"))
            receive = _replay(body)
        await self.app(scope, receive, send)

    async def _authorise(
        self, scope: Scope, headers: dict[bytes, bytes], access: Access, path_params: dict[str, str]
    ) -> list[Message] | None:
        token = _token(scope, headers, access.query_key)
        client: redis.asyncio.Redis = scope["app"].state.redis
        if token is None:
            if not await self.auth.keys_exist(client):
                if self.auth.allow_open:
                    host = _host_name(headers.get(b"host", b"").decode("latin-1"))
                    if self.auth.local_hosts_only and not is_loopback(host):
                        return _answer(
                            403,
                            f"an API open without keys answers requests to localhost only, not to {host!r}:"
                            " use http://127.0.0.1, or make an API key",
                        )
                    forwarded = next((name for name in _PROXY_HEADERS if name in headers), None)
                    if self.auth.local_hosts_only and forwarded is not None:
                        return _answer(
                            403,
                            f"an API open without keys does not answer through a proxy (the request carries"
                            f" {forwarded.decode()}): make an API key",
                        )
                    return None
                return _unauthorized("this API needs a key and none exists yet: make one with `sitrep keys create`")
            where = "an `Authorization: Bearer <key>` header" + (f" or ?{QUERY_KEY}=" if access.query_key else "")
            return _unauthorized(f"an API key is required: send it in {where}")
        verdict, record = await self.auth.check(client, token)
        if verdict is Verdict.UNKNOWN or record is None:
            return _unauthorized("unknown API key", "invalid_token")
        if verdict is Verdict.REVOKED:
            return _unauthorized("this API key was revoked", "invalid_token")
        assert access.scope is not None
        if not record.allows(access.scope) and not (access.own_reports and _owns(record, path_params)):
            return _answer(403, f"this key lacks the {access.scope!r} scope (it has {', '.join(record.scopes)})")
        scope.setdefault("state", {})["api_key"] = record
        return None

    async def _limit(self, scope: Scope, send: Send) -> tuple[list[Message] | None, Send]:
        """Take a token from the caller's bucket: a 429 when it is empty; else `send` adds the RateLimit headers.

        The caller is its key; with no key, on an API open beyond loopback (--insecure-open), its address. An
        API open on loopback is not limited: every caller there is this machine, which reaches Redis anyway."""
        assert self.limiter is not None
        key: ApiKey | None = scope.get("state", {}).get("api_key")
        if key is not None:
            subject = f"key:{key.id}"
            rate = self.limiter.default_rate if key.rate_per_second is None else key.rate_per_second
        elif self.auth.allow_open and not self.auth.local_hosts_only:
            client = scope.get("client")
            subject, rate = f"addr:{address_bucket(client[0] if client else 'unknown')}", self.limiter.default_rate
        else:
            return None, send
        if rate <= 0:
            return None, send
        decision = await self.limiter.take(scope["app"].state.redis, subject, rate)
        headers = decision.headers()
        if not decision.allowed:
            detail = f"rate limit of {rate:g} requests a second exceeded (bursts of {decision.limit}); retry later"
            return _answer(429, detail, headers), send
        extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return None, send_with_headers


def _router_serves(scope: Scope) -> bool:
    """Whether the app's router would run a route for this request (a full match, method included)."""
    router = getattr(scope.get("app"), "router", None)
    return any(route.matches(scope)[0] is Match.FULL for route in getattr(router, "routes", ()))


_PROXY_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-real-ip")
"""What a reverse proxy adds: a request through one comes from beyond the machine, whatever its Host."""

_HOST = re.compile(r"^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]@/\s]+))(?::[0-9]{1,5})?$")


def _host_name(host: str) -> str:
    """`localhost:8000` → `localhost`, `[::1]:8000` → `::1`; anything not shaped like a Host header as is
    (so `localhost:80@evil` is not taken for localhost)."""
    match = _HOST.match(host)
    return (match.group(1) or match.group(2)) if match else host


def _route_path(scope: Scope) -> str:
    """The path the router matches: without the `root_path` a proxy mounted the API under (as Starlette does)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path != root and path[len(root)] == "/":
        return path[len(root) :]
    return path


def _token(scope: Scope, headers: dict[bytes, bytes], query_key: bool) -> str | None:
    authorization = headers.get(b"authorization")
    if authorization is not None:
        kind, _, value = authorization.decode("latin-1").partition(" ")
        if kind.lower() == "bearer" and value.strip():
            return value.strip()
    api_key = headers.get(b"x-api-key")
    if api_key:
        return api_key.decode("latin-1").strip()
    query: bytes = scope.get("query_string", b"")
    if query_key and query:
        for name, value in parse_qsl(query.decode("latin-1")):
            if name == QUERY_KEY and value:
                return value
    return None


async def _send(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)


async def _read_capped(receive: Receive, headers: dict[bytes, bytes], limit: int) -> bytes | None:
    """The whole body, or None as soon as it is over `limit` (the declared length is checked first)."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def served(app: FastAPI) -> list[tuple[str, str]]:
    """Each (method, path) the app serves, in the order its router tries them."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[BaseRoute], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI 0.16x includes routers lazily
            if included is not None:
                context = getattr(route, "include_context", None)
                walk(
                    [*included.routes, *getattr(included, "_low_priority_routes", [])],
                    prefix + getattr(context, "prefix", ""),
                )
            elif isinstance(route, Route):
                found.extend((method, prefix + route.path) for method in sorted((route.methods or set()) - {"HEAD"}))
            else:  # a Mount, a websocket, a router of another kind: not served under POLICY's rules
                found.append(("?", f"{type(route).__name__} {getattr(route, 'path', '')}"))

    walk(list(app.routes), "")
    return found


def unguarded(app: FastAPI) -> list[str]:
    """Each `METHOD path` the app serves that POLICY does not name."""
    return [f"{method} {path}" for method, path in served(app) if (method, path) not in POLICY]


def install(app: FastAPI, auth: Authenticator, limiter: RateLimiter | None = None) -> None:
    """Guard every route of the app (and rate-limit its callers with `limiter`); ValueError naming the routes
    POLICY does not cover."""
    missing = unguarded(app)
    if missing:
        raise ValueError(f"routes without an access policy (add them to services/api/access.py POLICY): {missing}")
    entries = []
    for method, path in served(app):
        pattern = compile_path(path)[0]
        entries.append(_Entry(frozenset({method}), pattern, POLICY[(method, path)]))
    app.add_middleware(Guard, entries=entries, auth=auth, limiter=limiter)
    app.state.auth = auth


def api_key_of(state: Any) -> ApiKey | None:
    """The key the request was let in with (None when the API is open)."""
    key: ApiKey | None = getattr(state, "api_key", None)
    return key


def address_bucket(host: str) -> str:
    """The rate-limit bucket of a client address: an IPv6 address by its /64, which one subscriber usually holds
    whole (a bucket per address would give it 2^64 buckets); anything else as it is."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def is_loopback(host: str) -> bool:
    """Whether binding `host` serves this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def may_be_open(host: str, insecure_open: bool, connection: Callable[[], redis.Redis]) -> bool:
    """Whether an API bound to `host` may serve without a key when none exists.

    Loopback: yes. Elsewhere: only if told so (then it says so loudly); else at least one key must
    exist, or ExposedWithoutKey (the API would start open to the network).
    """
    if is_loopback(host):
        return True
    if insecure_open:
        log.warning(
            "THE API IS OPEN TO ANYONE WHO REACHES %s: --insecure-open (SITREP_INSECURE_OPEN) is set, and while no API"
            " key exists every route answers without one, admin routes included",
            host,
        )
        return True
    client = connection()
    try:
        if api_keys.any_active_sync(client):
            return False
    finally:
        client.close()
    raise ExposedWithoutKey(
        f"refusing to serve on {host} with no API key: make one with `sitrep keys create --name NAME --scope admin`"
        " (REDIS_URL set), bind 127.0.0.1, or pass --insecure-open to serve it open"
    )


class RedactKeys(logging.Filter):
    """Keeps a key sent as `?access_token=` out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def _redacted(text: str) -> str:
    """Each query part whose name decodes to the key's (`access%5Ftoken` too, which the guard accepts) hidden."""
    path, separator, query = text.partition("?")
    if not separator:
        return text
    parts = [
        f"{QUERY_KEY}=REDACTED" if unquote_plus(part.partition("=")[0]) == QUERY_KEY else part
        for part in query.split("&")
    ]
    return path + "?" + "&".join(parts)
