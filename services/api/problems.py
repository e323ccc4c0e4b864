"""Every error answer as RFC 9457 problem details (`application/problem+json`).

`detail` is always one sentence a person can read; a list of field problems (422) goes to `errors`,
each naming its field in `loc` as FastAPI does. The OpenAPI schema says so for every 4xx and 5xx.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

MEDIA_TYPE = "application/problem+json"
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
"""RFC 9110's names, which Python before 3.13 spells the older way."""


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where: `query`, `body`, ... then the field's path.")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="`about:blank`: the status code says it all.")
    title: str = Field(description="The status code's phrase, e.g. Unprocessable Content.")
    status: int
    detail: str = Field(description="What went wrong with this request, in a sentence.")
    instance: str | None = Field(
        default=None, description="The path of the request (absent on the key guard's answers)."
    )
    errors: list[FieldProblem] | None = Field(default=None, description="422: each invalid field.")


def problem_body(status: int, detail: str) -> dict[str, Any]:
    """The fields every problem has; `instance` is added where the request is at hand."""
    return {
        "type": "about:blank",
        "title": _TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }


def problem_response(
    request: Request, status: int, detail: str, errors: list[dict[str, Any]] | None = None, headers: Any = None
) -> Response:
    body = problem_body(status, detail)
    body["instance"] = request.url.path
    if errors is not None:
        body["errors"] = errors
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_problems(items: Any) -> list[dict[str, Any]]:
    return [
        {"loc": list(item.get("loc", [])), "msg": str(item.get("msg", "")), "type": str(item.get("type", ""))}
        for item in items
    ]


def _sentence(problems: list[dict[str, Any]]) -> str:
    return "; ".join(f"{'.'.join(str(part) for part in p['loc'])}: {p['msg']}" for p in problems) or "invalid request"


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if isinstance(error.detail, list):
        problems = _field_problems(error.detail)
        return problem_response(request, error.status_code, _sentence(problems), problems, error.headers)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return problem_response(request, error.status_code, detail, headers=error.headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = _field_problems(error.errors())
    return problem_response(request, 422, _sentence(problems), problems)


def install(app: FastAPI) -> None:
    """Answer HTTP errors and request validation errors as problem details."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def document(schema: dict[str, Any]) -> None:
    """Make every error response of an OpenAPI schema a `Problem` in `application/problem+json`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    full = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(full.pop("$defs", {}))
    components["Problem"] = full
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if parameters or "requestBody" in operation:
                responses.setdefault("422", {"description": "Invalid request"})
            if "requestBody" in operation and path not in ("/v1/reports", "/v1/reports/batch"):
                # FastAPI's own answer to a body it cannot decode at all (bytes that are not UTF-8 JSON)
                responses.setdefault("400", {"description": "The body could not be parsed"})
            if any(parameter.get("in") == "path" for parameter in parameters):
                responses.setdefault("404", {"description": "No such resource"})
            if path != "/livez":
                responses.setdefault("503", {"description": "Redis unavailable or too slow; `Retry-After` says when"})
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = content
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
