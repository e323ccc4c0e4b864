"""The FastAPI application: `sitrep api` serves it with uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
import redis.asyncio
from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.responses import Response

from core import defaults
from core.rate_limit import RateLimiter
from core.redis_conn import async_client, sync_client
from core.settings import IngestSettings
from services.api import (
    access,
    alert_stream,
    alerts,
    board,
    event_query,
    events,
    failed_reports,
    feeds,
    health,
    key_admin,
    metrics,
    openapi,
    places,
    problems,
    reports,
    request_telemetry,
    rules,
    silences,
    situation,
    subscriptions,
)
from services.api.admission import Admission
from services.api.alert_fanout import AlertFanout
from services.api.batcher import IngestBatcher
from services.api.report_store import ReportStore

log = logging.getLogger(__name__)


def _operation_id(route: APIRoute) -> str:
    """OpenAPI operation ids are the route functions' names (`list_events`), which a generated client uses."""
    return route.name


def create_app(
    settings: IngestSettings | None = None, allow_open: bool = True, local_hosts_only: bool = False
) -> FastAPI:
    """Build the app; Redis clients are made in the lifespan from `settings.redis_url`.

    `allow_open`: serve without a key while no API key exists (loopback, or --insecure-open); then
    `local_hosts_only`: only to requests addressed to a loopback name (bound to loopback).
    """
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        access_log = logging.getLogger("uvicorn.access")
        if not any(isinstance(item, access.RedactKeys) for item in access_log.filters):
            access_log.addFilter(access.RedactKeys())
        app.state.redis = async_client(settings.redis_url)
        app.state.sync_redis = sync_client(settings.redis_url)
        app.state.store = store = ReportStore.from_settings(settings, app.state.sync_redis, app.state.redis)
        await asyncio.to_thread(store.warm_up)
        app.state.admission = admission = Admission(
            app.state.redis, settings.admission_max_backlog, settings.admission_max_memory_share
        )
        numbering = asyncio.create_task(event_query.number_old_events_in_background(app.state.redis))
        if settings.map_outlines:
            board.start_outlines()
        app.state.batcher = IngestBatcher(store, max_reports_per_commit=max(settings.max_batch_reports, 1))
        app.state.batcher.start()
        block_seconds = defaults.SSE_BLOCK_MILLISECONDS / 1000
        fanout_client = async_client(settings.redis_url, socket_timeout=block_seconds + 5)
        app.state.alert_fanout = fanout = AlertFanout(fanout_client, defaults.SSE_BLOCK_MILLISECONDS)
        try:
            yield
        finally:
            numbering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await numbering
            await fanout.close()
            await admission.close()
            await app.state.batcher.stop()
            await app.state.redis.aclose()
            app.state.sync_redis.close()

    app = FastAPI(
        title="sitrep",
        version="0.1.0",
        summary="Conflict reports in; deduplicated events, situation and alerts out.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # Off unless asked for: even with no provider configured, FastAPI looks the providers up on
        # every request, which the hot POST route pays for nothing. /metrics serves Prometheus either way.
        telemetry=None
        if settings.opentelemetry
        else {"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.metrics = metrics.IngestMetrics()
    app.router.routes.extend(reports.ROUTES)
    for router in (
        failed_reports.router,
        reports.router,
        events.router,
        situation.router,
        places.router,
        alerts.router,
        metrics.router,
        rules.router,
        silences.router,
        alert_stream.router,
        subscriptions.router,
        key_admin.router,
        feeds.router,
        health.router,
        board.router,
    ):
        app.include_router(router)
    limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst_seconds)
    access.install(app, access.Authenticator(allow_open, local_hosts_only=local_hosts_only), limiter)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Last-Event-ID"],
            max_age=600,
        )

    @app.exception_handler(redis.RedisError)
    async def redis_unavailable(request: Request, error: redis.RedisError) -> Response:
        log.warning("redis error on %s %s: %s", request.method, request.url.path, error)
        detail = access.redis_error_detail(request.method, error)
        return problems.problem_response(
            request,
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"{detail}: {type(error).__name__}",
            headers={"Retry-After": "1"},
        )

    request_telemetry.install(app)  # outermost: counts and tags every request, refusals included
    problems.install(app)
    openapi.install(app)
    return app
