"""Silences over HTTP: GET/POST /v1/silences, DELETE /v1/silences/{id} (stored in `sitrep:silences`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from core import defaults, keys
from services.api.deps import RedisDep
from services.notifier.silences import Silence, SilenceIn, parse_all

router = APIRouter(prefix="/v1", tags=["alert rules"])


@router.get("/silences", response_model=list[Silence])
async def list_silences(redis: RedisDep) -> list[Silence]:
    """Active silences, soonest to end first; expired ones are removed."""
    raw: Any = await redis.hgetall(keys.SILENCES)
    now = datetime.now(UTC)
    silences = parse_all(raw)
    expired = [silence.id for silence in silences if not silence.active(now)]
    if expired:
        await redis.hdel(keys.SILENCES, *expired)
    return sorted((silence for silence in silences if silence.active(now)), key=lambda silence: silence.until)


@router.post(
    "/silences",
    response_model=Silence,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": f"{defaults.SILENCES_MAX} silences exist already"}},
)
async def create_silence(request: SilenceIn, redis: RedisDep) -> Silence:
    """Mute a place (and the places inside it), a rule, or a rule at a place, until `until`."""
    now = datetime.now(UTC)
    if not request.until > now:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "until: must be in the future")
    if await redis.hlen(keys.SILENCES) >= defaults.SILENCES_MAX:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{defaults.SILENCES_MAX} silences exist already; end some first")
    silence = Silence.create(request, now)
    await redis.hset(keys.SILENCES, silence.id, silence.model_dump_json())
    return silence


@router.delete("/silences/{silence_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_silence(silence_id: str, redis: RedisDep) -> Response:
    """End a silence now."""
    if not await redis.hdel(keys.SILENCES, silence_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no silence {silence_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
