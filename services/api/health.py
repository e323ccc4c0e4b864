"""Probes: GET /healthz (readiness: this replica can serve, i.e. Redis answers) and GET /livez (liveness: this
process answers).

Readiness does not follow admission control: a flood or a full Redis pauses ingest on every replica at
once, and were that to make them unready together, a load balancer would have no endpoint left, so reads,
status checks and the 503 with `Retry-After` itself would turn into connection errors. The pause is said in
the body (`ingest_paused`) and by each refused POST instead.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import redis
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.api.admission import Admission
from services.api.deps import RedisDep

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    ingest_paused: str | None = Field(
        default=None, description="Why admission control refuses reports now (503 with Retry-After); absent if open."
    )


HEALTH_TIMEOUT_SECONDS = 2.0
"""/healthz answers 503 after this long without a PING reply: below the probes' 3 s timeout."""


@router.get(
    "/healthz",
    response_model=Health,
    response_model_exclude_none=True,
    responses={503: {"description": "Redis does not answer within 2 s (not ready)"}},
)
async def healthz(request: Request, redis_client: RedisDep) -> Health:
    """200 when Redis answers within HEALTH_TIMEOUT_SECONDS, with `ingest_paused` while admission control refuses
    reports; 503 otherwise (readiness: can this replica serve?)."""
    try:
        await asyncio.wait_for(redis_client.ping(), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError as error:  # a busy pool or a slow Redis: answer before the probe gives up
        raise redis.TimeoutError(f"no PING reply within {HEALTH_TIMEOUT_SECONDS} s") from error
    admission: Admission = request.app.state.admission
    return Health(ingest_paused=await admission.fresh())


@router.get("/livez", response_model=Health, response_model_exclude_none=True)
async def livez() -> Health:
    """200 while this process serves requests, whatever Redis does (liveness: restart me?). A liveness
    probe on /healthz would restart every API pod during a Redis outage, which a restart cannot fix."""
    return Health()
