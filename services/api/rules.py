"""Alert rules over HTTP: GET/PUT /v1/rules.

Rules live in Redis (`sitrep:rules`) so every notifier applies the same ones; until someone PUTs
rules or a notifier copies its file, GET shows the rules file the API was configured with. A PUT
is newer than the file as it is now, so notifiers keep it until the file is edited again.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from core import keys
from services.api.deps import RedisDep, SettingsDep
from services.notifier.rules import DEFAULT_RULES_FILE, RuleSet, parse_yaml, stored_form

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
    body = await request.body()  # capped at 1 MB by the access guard (services/api/access.py)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
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
