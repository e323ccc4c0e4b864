"""Alert rules and silences over HTTP: GET/PUT /v1/rules, GET/POST/DELETE /v1/silences.

Rules live in Redis (`sitrep:rules`) so every notifier applies the same ones; until someone PUTs
rules or a notifier copies its file, GET shows the rules file the API was configured with. A PUT
is newer than the file as it is now, so notifiers keep it until the file is edited again.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status

from services import keys
from services.ingest.deps import RedisDep, SettingsDep
from services.notifier.rules import DEFAULT_RULES_FILE, RuleSet, parse_yaml, stored_form
from services.notifier.silences import Silence, SilenceIn, parse_all

router = APIRouter(prefix="/v1", tags=["alert rules"])


@router.get("/rules", response_model=RuleSet)
async def get_rules(redis: RedisDep, settings: SettingsDep) -> RuleSet:
    """The rules every notifier applies now."""
    raw = await redis.get(keys.RULES)
    if raw is not None:
        return RuleSet.model_validate_json(raw)
    path = Path(settings.rules_file) if settings.rules_file else DEFAULT_RULES_FILE
    try:
        return parse_yaml(path.read_text())
    except (OSError, ValueError) as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"rules file {path} unusable: {error}") from None


@router.put("/rules", response_model=RuleSet)
async def put_rules(rules: RuleSet, redis: RedisDep) -> RuleSet:
    """Replace the rules (422 naming the field when they are bad). Notifiers pick them up within a second."""
    await redis.mset(stored_form(rules, time.time()))
    return rules


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


@router.post("/silences", response_model=Silence, status_code=status.HTTP_201_CREATED)
async def create_silence(request: SilenceIn, redis: RedisDep) -> Silence:
    """Mute a place (and the places inside it), a rule, or a rule at a place, until `until`."""
    now = datetime.now(UTC)
    if not request.until > now:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "until: must be in the future")
    silence = Silence.create(request, now)
    await redis.hset(keys.SILENCES, silence.id, silence.model_dump_json())
    return silence


@router.delete("/silences/{silence_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_silence(silence_id: str, redis: RedisDep) -> Response:
    """End a silence now."""
    if not await redis.hdel(keys.SILENCES, silence_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no silence {silence_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
