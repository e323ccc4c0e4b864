"""The situation board: the page at `/`, its script and style, and the map's country outlines.

The files ship in the package (services/board/static); no build step, no CDN. Every answer of the board
carries a Content-Security-Policy that allows only this origin's script, style and fetches (no inline
script, no eval), so report text the page shows can never run, and `nosniff`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from services.board import outlines

log = logging.getLogger(__name__)

router = APIRouter()

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return resources.files("services.board").joinpath("static", name).read_bytes()


def _answer(body: bytes, media_type: str, request: Request, cache: str) -> Response:
    """With an ETag, so a reload of the page costs a 304."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**SECURITY_HEADERS, "ETag": tag, "Cache-Control": cache}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/", include_in_schema=False)
async def board_page(request: Request) -> Response:
    """The board."""
    return _answer(_asset("index.html"), "text/html; charset=utf-8", request, "no-cache")


async def board_script(request: Request) -> Response:
    """The board's script."""
    return _answer(_asset("board.js"), "text/javascript; charset=utf-8", request, "no-cache")


async def board_style(request: Request) -> Response:
    """The board's style."""
    return _answer(_asset("board.css"), "text/css; charset=utf-8", request, "no-cache")


# Two fixed paths rather than `/board/{name}`: nothing else from the package can be asked for.
router.add_api_route("/board/board.js", board_script, methods=["GET"], include_in_schema=False)
router.add_api_route("/board/board.css", board_style, methods=["GET"], include_in_schema=False)


class OutlineGeometry(BaseModel):
    type: str = Field(description="MultiPolygon")
    coordinates: list[list[list[list[float]]]] = Field(description="Polygons of rings of [longitude, latitude].")


class OutlineFeature(BaseModel):
    type: str = "Feature"
    id: str = Field(description="ISO 3166-1 numeric code, as Natural Earth gives it.")
    properties: dict[str, str] = Field(description="`name`: the country's name.")
    geometry: OutlineGeometry


class Outlines(BaseModel):
    """Natural Earth 1:110m countries (public domain) as a GeoJSON FeatureCollection."""

    type: str = "FeatureCollection"
    source: str = Field(description="Where the outlines come from: Natural Earth, and the package that shipped them.")
    features: list[OutlineFeature]


class GeoJSONResponse(JSONResponse):
    """Only names the media type for the OpenAPI document: the route sends the cached file's bytes as they are."""

    media_type = "application/geo+json"


_outlines_read: dict[Path, bytes] = {}
"""The outlines file's bytes once read, by path (one entry unless SITREP_CACHE_DIR changes in a test)."""


def _build_outlines_quietly() -> None:
    try:
        outlines.build_outlines()
    except Exception:  # build_outlines catches what it expects; anything else must not reach the API either
        log.exception("the map outlines could not be built: the board's map shows its points alone")


def start_outlines() -> threading.Thread:
    """Make the outlines file at first start in a daemon thread: neither the API's start nor its stop waits
    for `npm pack` (at most `outlines.FETCH_LIMIT_SECONDS`), and nothing it raises reaches the app."""
    thread = threading.Thread(target=_build_outlines_quietly, name="sitrep-map-outlines", daemon=True)
    thread.start()
    return thread


def _read_outlines() -> bytes | None:
    path: Path = outlines.outlines_path()
    body = _outlines_read.get(path)
    if body is None:
        try:
            body = _outlines_read[path] = path.read_bytes()
        except OSError:
            return None
    return body


@router.get(
    "/v1/map/outlines",
    response_model=Outlines,
    operation_id="get_map_outlines",
    tags=["read"],
    response_class=GeoJSONResponse,
    responses={404: {"description": "No outlines on this machine (no npm at first start, or offline)"}},
)
async def get_map_outlines(request: Request) -> Response:
    """Country outlines for the board's map; 404 when this machine could not get them (the map then shows its
    points alone). Cached by browsers for a day."""
    body = await asyncio.to_thread(_read_outlines)
    if body is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no country outlines on this machine: they come from the npm package {outlines.PACKAGE} at first start",
        )
    return _answer(body, "application/geo+json", request, "private, max-age=86400")
