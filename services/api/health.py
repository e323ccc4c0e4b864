"""Probes: GET /healthz (readiness: Redis answers and ingest is open) and GET /livez (liveness: this process
answers)."""

from __future__ import annotations

import asyncio
from typing import Any

import redis
from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from core import defaults
from services.api.admission import Admission
from services.api.deps import RedisDep

router = APIRouter(tags=["ops"])

HEALTH_TIMEOUT_SECONDS = 2.0
"""/healthz answers 503 after this long without a PING reply: below the probes' 3 s timeout."""


@router.get("/healthz", responses={503: {"description": "Redis does not answer, or ingest is paused"}})
async def healthz(request: Request, redis_client: RedisDep) -> Any:
    """200 when Redis answers within HEALTH_TIMEOUT_SECONDS and admission control takes reports; 503 otherwise
    (readiness: take traffic?)."""
    try:
        await asyncio.wait_for(redis_client.ping(), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError as error:  # a busy pool or a slow Redis: answer before the probe gives up
        raise redis.TimeoutError(f"no PING reply within {HEALTH_TIMEOUT_SECONDS} s") from error
    admission: Admission = request.app.state.admission
    refusal = await admission.fresh()
    if refusal is not None:
        return JSONResponse(
            {"status": "paused", "detail": f"ingest paused: {refusal}"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(defaults.ADMISSION_RETRY_AFTER_SECONDS)},
        )
    return {"status": "ok"}


@router.get("/livez")
async def livez() -> dict[str, Any]:
    """200 while this process serves requests, whatever Redis does (liveness: restart me?). A liveness
    probe on /healthz would restart every API pod during a Redis outage, which a restart cannot fix."""
    return {"status": "ok"}
