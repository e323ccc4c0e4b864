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

import yaml
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from core import keys
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


_RULES_REF = {"$ref": "#/components/schemas/RuleSet"}
_MAX_RULES_BYTES = 1_000_000


@router.put(
    "/rules",
    response_model=RuleSet,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _RULES_REF}, "application/yaml": {"schema": _RULES_REF}},
        }
    },
    responses={413: {"description": "Body over 1 MB"}, 415: {"description": "Neither JSON nor YAML"}},
)
async def put_rules(request: Request, redis: RedisDep) -> RuleSet:
    """Replace the rules, as JSON or as the YAML of the rules file (422 naming the field when they are bad).

    Notifiers pick them up within a second.
    """
    body = await request.body()
    if len(body) > _MAX_RULES_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "rules over 1 MB")
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    try:
        if kind in ("application/yaml", "application/x-yaml", "text/yaml"):
            rules = parse_yaml(body.decode())
        elif kind == "application/json" or kind.endswith("+json"):
            rules = RuleSet.model_validate_json(body)
        else:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send application/json or application/yaml")
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
    except (ValueError, yaml.YAMLError) as error:  # not JSON / YAML at all, or not a mapping
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unreadable rules: {error}") from None
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
