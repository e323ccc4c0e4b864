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
from typing import Any

import redis
from fastapi import FastAPI
from starlette.routing import Match
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


class RequestTelemetry:
    """Pure ASGI (no body buffering), so a streamed response (SSE, exports) passes through untouched."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self._last_flush = time.monotonic()
        self._flushing: asyncio.Task[None] | None = None
        self._registry: IngestMetrics | None = None

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
        the route it was meant for, found the router's way."""
        route = scope.get("route")
        if route is None:  # as the router picks: the first full match, else the first path match (a 405)
            partial = None
            for candidate in self.owner.router.routes:
                match, _ = candidate.matches(scope)
                if match is Match.FULL:
                    route = candidate
                    break
                if match is Match.PARTIAL and partial is None:
                    partial = candidate
            route = route or partial
        template = getattr(route, "path", None)
        return template if isinstance(template, str) else UNMATCHED_ROUTE

    @staticmethod
    async def _flush(registry: IngestMetrics, client: Any) -> None:
        try:
            await registry.flush(client)
        except redis.RedisError as error:  # kept: the next flush or scrape sends it
            log.warning("metrics not sent: %s", error)


def install(app: FastAPI) -> None:
    """Outermost: add it after every other middleware."""
    app.add_middleware(RequestTelemetry, owner=app)
