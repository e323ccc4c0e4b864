"""Probes: GET /healthz (readiness: Redis answers) and GET /livez (liveness: this process answers)."""

from __future__ import annotations

import asyncio
from typing import Literal

import redis
from fastapi import APIRouter
from pydantic import BaseModel

from services.api.deps import RedisDep

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


HEALTH_TIMEOUT_SECONDS = 2.0
"""/healthz answers 503 after this long without a PING reply: below the probes' 3 s timeout."""


@router.get("/healthz")
async def healthz(redis_client: RedisDep) -> Health:
    """200 when Redis answers within HEALTH_TIMEOUT_SECONDS, 503 otherwise (readiness: take traffic?)."""
    try:
        await asyncio.wait_for(redis_client.ping(), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError as error:  # a busy pool or a slow Redis: answer before the probe gives up
        raise redis.TimeoutError(f"no PING reply within {HEALTH_TIMEOUT_SECONDS} s") from error
    return Health()


@router.get("/livez")
async def livez() -> Health:
    """200 while this process serves requests, whatever Redis does (liveness: restart me?). A liveness
    probe on /healthz would restart every API pod during a Redis outage, which a restart cannot fix."""
    return Health()
