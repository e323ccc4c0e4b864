"""OpenAPI entries for the bare Starlette report POSTs (reports.py), which FastAPI's generator does not see."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from schemas.reports import BatchAck, ReportAck, ReportIn
from services.api import problems

_REF = "#/components/schemas/{model}"


def _operation(
    summary: str, request_schema: dict[str, Any], response_model: str, op_id: str, location: bool
) -> dict[str, Any]:
    headers = {"Location": {"description": "The report's status URL", "schema": {"type": "string"}}}
    return {
        "tags": ["reports"],
        "summary": summary,
        "operationId": op_id,
        "requestBody": {"required": True, "content": {"application/json": {"schema": request_schema}}},
        "responses": {
            "202": {
                "description": "Stored and queued (or recognised as a duplicate)",
                **({"headers": headers} if location else {}),
                "content": {"application/json": {"schema": {"$ref": _REF.format(model=response_model)}}},
            },
            "413": {"description": "Body, or number of reports, over the limit"},
            "422": {"description": "Invalid report; each `errors[].loc` names a field"},
            "503": {
                "description": "Redis unavailable: nothing was stored; or Redis answered too late, and the "
                "report may be stored: resending is safe either way (resends are recognised); or ingest is "
                "paused (too many reports wait, or Redis is near its maxmemory): nothing was stored, retry after "
                "`Retry-After` seconds"
            },
        },
    }


def install(app: FastAPI) -> None:
    """Make `app.openapi()` include the report POSTs and their models."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ReportIn, ReportAck, BatchAck):
            full = model.model_json_schema(ref_template=_REF)
            components.update(full.pop("$defs", {}))
            components[model.__name__] = full
        report_ref = {"$ref": _REF.format(model="ReportIn")}
        batch_schema = {
            "oneOf": [
                {"type": "array", "items": report_ref, "maxItems": 1000},
                {"type": "object", "properties": {"reports": {"type": "array", "items": report_ref}}},
            ]
        }
        paths = schema.setdefault("paths", {})
        paths.setdefault("/v1/reports", {})["post"] = _operation(
            "Accept one report", report_ref, "ReportAck", "post_report", True
        )
        paths.setdefault("/v1/reports/batch", {})["post"] = _operation(
            "Accept up to 1,000 reports, all or none", batch_schema, "BatchAck", "post_batch", False
        )
        _document_access(schema)  # first: problems.document then gives its 401/403/413/415 their content
        problems.document(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_RATE_LIMIT_HEADERS = {
    "Retry-After": "Seconds until a request would be taken again",
    "RateLimit": 'What is left: `"sitrep";r=<requests>;t=<seconds until the bucket is full>`',
    "RateLimit-Policy": 'The limit: `"sitrep";q=<requests at once>;w=<seconds to refill them>`',
}


def _document_access(schema: dict[str, Any]) -> None:
    """The scope each operation needs (services/api/access.py) and the 401/403/413/415/429 the guard answers."""
    import re

    from services.api.access import POLICY, QUERY_KEY

    policy = {(method, re.sub(r":\w+}", "}", path)): access for (method, path), access in POLICY.items()}

    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API key: `sitrep keys create`."},
        "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            access = policy.get((method.upper(), path))
            if access is None or access.scope is None:
                continue
            schemes: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKeyHeader": []}]
            if access.query_key:
                schema["components"]["securitySchemes"]["apiKeyQuery"] = {
                    "type": "apiKey",
                    "in": "query",
                    "name": QUERY_KEY,
                }
                schemes.append({"apiKeyQuery": []})
            operation["security"] = schemes
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", {"description": "No API key, or an unknown or revoked one (once keys exist)"})
            responses.setdefault("403", {"description": f"The key lacks the `{access.scope}` scope"})
            responses.setdefault(
                "429",
                {
                    "description": "Over the caller's rate limit (its key's, or its address's on an API open beyond"
                    " loopback): retry after `Retry-After` seconds",
                    "headers": {
                        name: {"description": text, "schema": {"type": "string"}}
                        for name, text in _RATE_LIMIT_HEADERS.items()
                    },
                },
            )
            if access.media_types:
                responses.setdefault("415", {"description": "Body not " + " or ".join(sorted(access.media_types))})
            if access.max_body_bytes is not None:
                responses.setdefault("413", {"description": f"Body over {access.max_body_bytes} bytes"})
