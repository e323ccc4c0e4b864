"""The reference route of the ingest benchmark: bare Starlette, pydantic's JSON validation, one LPUSH.

It is what "as fast as the framework and Redis allow" means for one report; the bench prints our
POST /v1/reports rate as a ratio to this, measured in the same run with the same load.
"""

from __future__ import annotations

import os

import redis.asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from schemas.reports import ReportIn

_redis = redis.asyncio.Redis.from_url(os.environ["REDIS_URL"])


async def post_report(request: Request) -> JSONResponse:
    report = ReportIn.model_validate_json(await request.body())
    await _redis.lpush("bench:reference", report.model_dump_json())
    return JSONResponse({"id": report.id, "status": "queued"}, status_code=202)


app = Starlette(routes=[Route("/v1/reports", post_report, methods=["POST"])])
