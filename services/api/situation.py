"""The situation per place, as the notifier keeps it: GET /v1/situation and /v1/situation/{place}."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, status
from starlette.responses import Response

from core import keys
from schemas.situation import Situation
from services.api.deps import RedisDep

router = APIRouter(prefix="/v1", tags=["read"])


@router.get("/situation", response_model=list[Situation])
async def list_situation(redis: RedisDep) -> Response:
    """Every place the notifier holds a situation for, by place id."""
    members: Any = await redis.smembers(keys.SITUATION_INDEX)
    places = sorted(member.decode() for member in members)
    raw: list[Any] = await redis.mget([keys.situation(place) for place in places]) if places else []
    # The notifier stored them as Situation JSON: joined as they are, not parsed and validated again.
    return Response(b"[" + b",".join(item for item in raw if item is not None) + b"]", media_type="application/json")


@router.get("/situation/{place_id:path}", response_model=Situation)
async def get_situation(place_id: str, redis: RedisDep) -> dict[str, Any]:
    """One place, with `children`: who holds each place inside it (Raqqa shows al-Nahda)."""
    place_id = place_id.lower()
    members: Any = await redis.smembers(keys.SITUATION_INDEX)
    inside = sorted(m.decode() for m in members if m.decode().startswith(place_id + "/"))
    raw_all = await redis.mget([keys.situation(place_id), *(keys.situation(child) for child in inside)])
    if raw_all[0] is None and not inside:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no situation for {place_id!r}")
    situation: dict[str, Any] = (
        orjson.loads(raw_all[0]) if raw_all[0] is not None else {"place_id": place_id, "name": place_id, "counts": {}}
    )
    situation["children"] = [_child(orjson.loads(raw)) for raw in raw_all[1:] if raw is not None]
    return situation


def _child(situation: dict[str, Any]) -> dict[str, Any]:
    control = situation.get("control") or {}
    return {
        "place_id": situation["place_id"],
        "name": situation.get("name"),
        "controller": control.get("controller"),
        "controller_name": control.get("controller_name"),
        "since": control.get("since"),
        "contested": control.get("contested", False),
    }
