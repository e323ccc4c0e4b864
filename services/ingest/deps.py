"""FastAPI dependencies: the Redis client, the batcher and the settings, all swappable in tests.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in a thread pool, which cost
the ingest route a fifth of its throughput.
"""

from __future__ import annotations

from typing import Annotated

import redis.asyncio
from fastapi import Depends, Request

from core.settings import IngestSettings
from services.ingest.batcher import IngestBatcher


async def get_redis(request: Request) -> redis.asyncio.Redis:
    client: redis.asyncio.Redis = request.app.state.redis
    return client


async def get_batcher(request: Request) -> IngestBatcher:
    batcher: IngestBatcher = request.app.state.batcher
    return batcher


async def get_settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


RedisDep = Annotated[redis.asyncio.Redis, Depends(get_redis)]
BatcherDep = Annotated[IngestBatcher, Depends(get_batcher)]
SettingsDep = Annotated[IngestSettings, Depends(get_settings)]
