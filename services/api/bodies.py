"""Reading request bodies with a size cap, and turning validation errors into clear 4xx answers."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request, status
from pydantic import ValidationError


async def read_body(request: Request, limit_bytes: int) -> bytes:
    """The whole body, or 413 as soon as it exceeds `limit_bytes` (checked before and while reading)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body of {declared} bytes exceeds {limit_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit_bytes:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body exceeds {limit_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def validation_detail(error: ValidationError, prefix: tuple[str | int, ...] = ("body",)) -> list[dict[str, Any]]:
    """FastAPI-shaped 422 details: each names the field (`loc`) and says what is wrong (`msg`)."""
    details = []
    for item in error.errors(include_url=False, include_context=False):
        loc = prefix + tuple(item["loc"])
        details.append({"loc": list(loc), "msg": item["msg"], "type": item["type"]})
    return details


def unprocessable(error: ValidationError, prefix: tuple[str | int, ...] = ("body",)) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, validation_detail(error, prefix))
