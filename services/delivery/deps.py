"""FastAPI dependencies of the delivery routes: their settings, made once per app from the environment."""

from __future__ import annotations

from typing import Annotated

import redis
from fastapi import Depends, Request

from core.settings import DeliverySettings


async def get_delivery_settings(request: Request) -> DeliverySettings:
    """Tests may set `app.state.delivery_settings`; otherwise they come from SITREP_* variables."""
    settings: DeliverySettings | None = getattr(request.app.state, "delivery_settings", None)
    if settings is None:
        settings = DeliverySettings(redis_url=request.app.state.settings.redis_url)
        request.app.state.delivery_settings = settings
    return settings


async def get_sync_redis(request: Request) -> redis.Redis:
    """The app's blocking client: subscription routes are plain `def` and share code with the workers."""
    client: redis.Redis = request.app.state.sync_redis
    return client


DeliverySettingsDep = Annotated[DeliverySettings, Depends(get_delivery_settings)]
SyncRedisDep = Annotated[redis.Redis, Depends(get_sync_redis)]
