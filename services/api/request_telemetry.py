"""Every HTTP request: a request id (the client's `X-Request-ID`, or one made here) bound to the request's
log lines and echoed in the response, and its duration counted by method, route template and status.

The outermost middleware, so refusals by the access middleware (401, 403, 413, 415) are counted and
carry the id too. Counts go to the app's tally, which this sends to Redis at most once a second.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Sequence
from typing import Any

import redis
from fastapi import FastAPI
from starlette.routing import Mount, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import logs, metrics
from services.api.metrics import FLUSH_SECONDS, IngestMetrics

log = logging.getLogger(__name__)

HEADER = b"x-request-id"

_ACCEPTED_ID = re.compile(rb"^[A-Za-z0-9._:@/+=-]{1,128}$")
"""A client's request id is kept if it is short and plain (it goes into logs and a header)."""

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (404s of unknown paths), so stray paths add no series."""

INGEST_PATHS = frozenset({"/v1/reports", "/v1/reports/batch"})

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other a client makes up is `other`, so it cannot add series."""


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-ID when it is acceptable, else a new random one (128 bits, hex)."""
    for name, value in headers:
        if name == HEADER and _ACCEPTED_ID.match(value):
            return value.decode()
    return os.urandom(16).hex()


Template = tuple[str, re.Pattern[str], frozenset[str] | None]
"""A route's full path template, its pattern, and the methods it takes (None: any)."""


def flat_templates(routes: Sequence[Any], prefix: str = "") -> list[Template]:
    """Every HTTP route of the app in the router's order, those of included routers with their prefix.

    Included routers show as entries without a `path` of their own (FastAPI 0.165's `_IncludedRouter`): their
    routes are found through `original_router` and the prefix of `include_context`."""
    found: list[Template] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found += flat_templates(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
        elif isinstance(route, Mount):
            template = prefix + route.path
            found.append((template, compile_path(template + "/{path:path}")[0], None))
        elif isinstance(route, Route):
            template = prefix + route.path
            methods = frozenset(route.methods) if route.methods is not None else None
            found.append((template, compile_path(template)[0], methods))
    return found


class RequestTelemetry:
    """Pure ASGI (no body buffering), so a streamed response (SSE, exports) passes through untouched."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self._last_flush = time.monotonic()
        self._flushing: asyncio.Task[None] | None = None
        self._registry: IngestMetrics | None = None
        self._templates: list[Template] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        rid = request_id(scope["headers"])
        status = 500
        header = (HEADER, rid.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        token = logs.bind("request_id", rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.unbind(token)
            self._count(scope, status, time.perf_counter() - began)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        state: Any = self.owner.state
        registry = self._registry
        if registry is None:  # looked up once: create_app sets it before the first request
            registry = self._registry = getattr(state, "metrics", None)
            if registry is None:
                return
        template = self._template(scope)
        method = scope.get("method", "")
        method = method if method in METHODS else "other"
        registry.tally.observe(metrics.HTTP_DURATION, seconds, method, template, str(status))
        if method == "POST" and template in INGEST_PATHS:
            if status == 503:
                registry.tally.add(metrics.REPORTS_INGESTED, "paused")
            elif 400 <= status < 500:
                registry.tally.add(metrics.REPORTS_INGESTED, "rejected")
        now = time.monotonic()
        if now - self._last_flush >= FLUSH_SECONDS and (self._flushing is None or self._flushing.done()):
            client = getattr(state, "redis", None)
            if client is not None:
                self._last_flush = now
                self._flushing = asyncio.create_task(self._flush(registry, client))

    def _template(self, scope: Scope) -> str:
        """The path template of the route that served the request; for one refused before routing (401, 413),
        the route it was meant for, found the router's way: the first full match, else the first path match (405)."""
        route = scope.get("route")
        if route is not None:
            template = getattr(route, "path", None)
            if isinstance(template, str):
                return template
        if self._templates is None:  # the app's routes are all in place by its first request
            self._templates = flat_templates(self.owner.router.routes)
        path, method = scope.get("path", ""), scope.get("method", "")
        partial = None
        for template, pattern, methods in self._templates:
            if pattern.match(path):
                if methods is None or method in methods:
                    return template
                partial = partial or template
        return partial or UNMATCHED_ROUTE

    @staticmethod
    async def _flush(registry: IngestMetrics, client: Any) -> None:
        try:
            await registry.flush(client)
        except redis.RedisError as error:  # kept if nothing was sent (core/metrics.py's policy)
            log.warning("metrics not sent: %s", error)


def install(app: FastAPI) -> None:
    """Outermost: add it after every other middleware."""
    app.add_middleware(RequestTelemetry, owner=app)
