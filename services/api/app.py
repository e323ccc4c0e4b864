"""The FastAPI application: `sitrep api` serves it with uvicorn."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
import redis.asyncio
from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from core import defaults
from core.redis_conn import async_client, sync_client
from core.settings import IngestSettings
from services.api import (
    alert_stream,
    alerts,
    events,
    failed_reports,
    health,
    metrics,
    openapi,
    reports,
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


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    """Build the app; Redis clients are made in the lifespan from `settings.redis_url`."""
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.redis = async_client(settings.redis_url)
        app.state.sync_redis = sync_client(settings.redis_url)
        app.state.store = store = ReportStore(
            app.state.sync_redis,
            app.state.redis,
            queue_name=settings.queue_name,
            job_max_reports=settings.job_max_reports,
            job_timeout_seconds=settings.job_timeout_seconds,
            report_ttl_seconds=settings.report_ttl_seconds,
        )
        await asyncio.to_thread(store.warm_up)
        app.state.admission = admission = Admission(
            app.state.redis, settings.admission_max_backlog, settings.admission_max_memory_share
        )
        app.state.batcher = IngestBatcher(store, max_reports_per_commit=max(settings.max_batch_reports, 1))
        app.state.batcher.start()
        app.state.alert_fanout = fanout = AlertFanout(async_client(settings.redis_url), defaults.SSE_BLOCK_MILLISECONDS)
        try:
            yield
        finally:
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
        alerts.router,
        metrics.router,
        rules.router,
        silences.router,
        alert_stream.router,
        subscriptions.router,
        health.router,
    ):
        app.include_router(router)

    @app.exception_handler(redis.RedisError)
    async def redis_unavailable(request: Request, error: redis.RedisError) -> JSONResponse:
        log.warning("redis error on %s %s: %s", request.method, request.url.path, error)
        writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
        if isinstance(error, redis.TimeoutError):
            # The command may have run after all (its reply was late): say so; a resend is recognised
            # by its id or its text, so resending is safe.
            detail = "Redis did not answer in time" + (
                "; a write may or may not have happened, and resending is safe" if writes else ""
            )
        else:
            detail = "Redis is unavailable" + (", nothing was stored" if writes else "")
        return JSONResponse(
            {"detail": f"{detail}: {type(error).__name__}"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )

    openapi.install(app)
    return app
