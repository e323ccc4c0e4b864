"""FastAPI dependencies: the Redis clients and the settings, all swappable in tests.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in a thread pool, which the
ingest route would pay for on every request.
"""

from __future__ import annotations

from typing import Annotated

import redis
import redis.asyncio
from fastapi import Depends, Request

from core.settings import DeliverySettings, IngestSettings


async def get_redis(request: Request) -> redis.asyncio.Redis:
    client: redis.asyncio.Redis = request.app.state.redis
    return client


async def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


RedisDep = Annotated[redis.asyncio.Redis, Depends(get_redis)]
SettingsDep = Annotated[IngestSettings, Depends(get_settings)]


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
