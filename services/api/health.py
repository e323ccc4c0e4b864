"""Probes: GET /healthz (readiness: Redis answers and ingest is open) and GET /livez (liveness: this process
answers)."""

from __future__ import annotations

import asyncio
from typing import Literal

import redis
from fastapi import APIRouter, Request, status
from pydantic import BaseModel
from starlette.responses import Response

from core import defaults
from services.api import problems
from services.api.admission import Admission
from services.api.deps import RedisDep

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


HEALTH_TIMEOUT_SECONDS = 2.0
"""/healthz answers 503 after this long without a PING reply: below the probes' 3 s timeout."""


@router.get("/healthz", response_model=Health)
async def healthz(request: Request, redis_client: RedisDep) -> Health | Response:
    """200 when Redis answers within HEALTH_TIMEOUT_SECONDS and admission control takes reports; 503 otherwise
    (readiness: take traffic?)."""
    try:
        await asyncio.wait_for(redis_client.ping(), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError as error:  # a busy pool or a slow Redis: answer before the probe gives up
        raise redis.TimeoutError(f"no PING reply within {HEALTH_TIMEOUT_SECONDS} s") from error
    admission: Admission = request.app.state.admission
    refusal = await admission.fresh()
    if refusal is not None:
        return problems.problem_response(
            request,
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"ingest paused: {refusal}",
            headers={"Retry-After": str(defaults.ADMISSION_RETRY_AFTER_SECONDS)},
        )
    return Health()


@router.get("/livez")
async def livez() -> Health:
    """200 while this process serves requests, whatever Redis does (liveness: restart me?). A liveness
    probe on /healthz would restart every API pod during a Redis outage, which a restart cannot fix."""
    return Health()
