"""Reports: POST /v1/reports and /v1/reports/batch (the hot path), GET /v1/reports/{id}.

The POSTs are bare Starlette routes, the hot path without FastAPI's per-request machinery (dependency
solving, response-model validation); `openapi.py` documents them in the same schema. Errors are raised as
HTTPException and answered as problem details (problems.py).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, status
from pydantic import Field, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core import defaults, keys
from core.api_keys import ApiKey
from core.event_reader import read_events_async
from core.settings import IngestSettings
from schemas.events import Contribution
from schemas.provenance import Provenance
from schemas.reports import ReportIn, ReportView
from services.api import problems
from services.api.access import api_key_of
from services.api.batcher import IngestBatcher
from services.api.bodies import read_body, unprocessable
from services.api.deps import RedisDep, SettingsDep
from services.api.report_store import ReportStore, StoreOutcome, prepare

_REPORT_LIST = TypeAdapter(list[ReportIn])


def _ack(outcome: StoreOutcome, key: ApiKey | None) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "status": "duplicate" if outcome.status == "duplicate" else "queued",
        "status_url": f"/v1/reports/{outcome.id}",
        "duplicate_of": visible_duplicate_of(outcome.duplicate_of, key),
    }


def visible_duplicate_of(duplicate_of: str | None, key: ApiKey | None) -> str | None:
    """The first copy's id, or None for a key without `read` when that copy is another namespace's: its id
    would give away another sender's key name and report."""
    if duplicate_of is None or key is None or key.allows("read") or duplicate_of.startswith(f"{key.namespace}:"):
        return duplicate_of
    return None


def _namespace(request: Request) -> str | None:
    """The sender's key's name, which prefixes its report ids; None when the API is open (ids as sent)."""
    key = api_key_of(request.state)
    return key.namespace if key is not None else None


def _refuse_quiet(request: Request, reports: list[ReportIn]) -> None:
    """`quiet_delivery` keeps an alert from every subscriber: only an admin key (or an open API) may ask for it."""
    if any(report.quiet_delivery for report in reports):
        key = api_key_of(request.state)
        if key is not None and not key.allows("admin"):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "quiet_delivery needs a key with the 'admin' scope")


def _own_provenance(request: Request, reports: list[ReportIn]) -> list[ReportIn]:
    """A report sent through the API came `via: api`: only an admin key (or an open API) may say it came from
    a feed or an archive, since provenance is shown with the report and every mention of its events."""
    key = api_key_of(request.state)
    if key is None or key.allows("admin"):
        return reports
    said = Provenance(via="api")
    return [
        report.model_copy(update={"provenance": said}) if report.provenance not in (None, said) else report
        for report in reports
    ]


def _accepted(payload: dict[str, Any], location: str | None = None) -> Response:
    headers = {"Location": location} if location else None
    return Response(
        orjson.dumps(payload), status_code=status.HTTP_202_ACCEPTED, media_type="application/json", headers=headers
    )


def _paused(request: Request, refusal: str) -> Response:
    """503 from admission control: nothing was stored; the client retries after `Retry-After`."""
    headers = {"Retry-After": str(defaults.ADMISSION_RETRY_AFTER_SECONDS)}
    detail = f"ingest paused: {refusal}; nothing was stored"
    return problems.problem_response(request, status.HTTP_503_SERVICE_UNAVAILABLE, detail, headers=headers)


async def post_report(request: Request) -> Response:
    """Accept one report. 202 means it is stored and queued, even if no worker runs right now."""
    if (refusal := request.app.state.admission.check()) is not None:
        return _paused(request, refusal)
    settings: IngestSettings = request.app.state.settings
    batcher: IngestBatcher = request.app.state.batcher
    body = await read_body(request, settings.max_body_bytes)
    try:
        report = ReportIn.model_validate_json(body)
    except ValidationError as error:
        raise unprocessable(error) from None
    if report.quiet_delivery:
        _refuse_quiet(request, [report])
    (report,) = _own_provenance(request, [report])
    (outcome,) = await batcher.submit([prepare(report, _namespace(request))])
    request.app.state.metrics.count([outcome.status])
    request.app.state.admission.note(outcome.status != "duplicate", len(body))
    ack = _ack(outcome, api_key_of(request.state))
    return _accepted(ack, ack["status_url"])  # where to follow the report's processing


async def post_batch(request: Request) -> Response:
    """Accept a JSON array of reports (or `{"reports": [...]}`); all are valid, or none is taken."""
    if (refusal := request.app.state.admission.check()) is not None:
        return _paused(request, refusal)
    settings: IngestSettings = request.app.state.settings
    store: ReportStore = request.app.state.store
    body = await read_body(request, settings.max_batch_body_bytes)
    try:
        # The common case, a JSON array, is parsed and validated in one pass by pydantic's Rust core.
        reports = _REPORT_LIST.validate_json(body)
    except ValidationError:
        reports = _fallback(body, settings)
    if len(reports) > settings.max_batch_reports:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{len(reports)} reports exceed the limit of {settings.max_batch_reports}",
        )
    if not reports:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the batch is empty")
    _refuse_quiet(request, reports)
    reports = _own_provenance(request, reports)
    # A batch is already a batch: it commits at once, beside the batcher's coalesced single reports.
    namespace = _namespace(request)
    outcomes = await store.acommit([prepare(report, namespace) for report in reports])
    request.app.state.metrics.count([outcome.status for outcome in outcomes])
    key = api_key_of(request.state)
    acks = [_ack(outcome, key) for outcome in outcomes]
    duplicates = sum(ack["status"] == "duplicate" for ack in acks)
    request.app.state.admission.note(len(acks) - duplicates, len(body))
    return _accepted({"accepted": len(acks) - duplicates, "duplicates": duplicates, "reports": acks})


def _fallback(body: bytes, settings: IngestSettings) -> list[ReportIn]:
    """Explain why a batch body is not a valid array of reports, or accept the `{"reports": [...]}` form."""
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError as decode_error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"body is not JSON: {decode_error}") from None
    if isinstance(parsed, dict) and isinstance(parsed.get("reports"), list):
        parsed = parsed["reports"]
    elif not isinstance(parsed, list):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "body must be a JSON array of reports")
    if len(parsed) > settings.max_batch_reports:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"{len(parsed)} reports exceed the limit of {settings.max_batch_reports}"
        )
    try:
        return _REPORT_LIST.validate_python(parsed)
    except ValidationError as item_error:
        raise unprocessable(item_error, ("body", "reports")) from None


ROUTES = [
    Route("/v1/reports", post_report, methods=["POST"], name="post_report"),
    Route("/v1/reports/batch", post_batch, methods=["POST"], name="post_batch"),
]


router = APIRouter(prefix="/v1", tags=["reports"])


class ReportDetail(ReportView):
    """A report with its deduplication facts: the story it belongs to and its contributions."""

    story: str | None = Field(default=None, description="First report of its near-duplicate group (itself if none).")
    near_duplicate_of: str | None = Field(default=None, description="The earlier report this one is a copy of.")
    contributions: list[Contribution] = Field(default_factory=list)


@router.get("/reports/{report_id}", response_model=ReportDetail)
async def get_report(report_id: str, request: Request, redis: RedisDep, settings: SettingsDep) -> ReportDetail:
    """A report's status and, once processed, the canonical events it contributed to and how. An `ingest` key
    without `read` may ask for its own reports (its `status_url`): it sees their status, not the events."""
    record: Any = await redis.hgetall(keys.report(report_id))
    if not record:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no report {report_id!r}")
    fields = {key.decode(): value.decode() for key, value in record.items()}
    report = orjson.loads(fields.get("report", "{}"))
    caller = api_key_of(request.state)
    status_fields: dict[str, Any] = {
        "id": report_id,
        "status": fields.get("status", "queued"),
        "source": report.get("source"),
        "published_at": report.get("published_at"),
        "title": report.get("title"),
        "received_at": fields.get("received_at"),
        "error": fields.get("error"),
    }
    if caller is not None and not caller.allows("read"):  # events hold other senders' mentions: read's to see
        return ReportDetail(**status_fields, duplicate_of=visible_duplicate_of(fields.get("duplicate_of"), caller))
    event_ids: list[str] = orjson.loads(fields.get("events", "[]"))
    events: list[dict[str, object]] = []
    if event_ids:
        raw = await read_events_async(redis, event_ids, settings.event_max_mentions_shown)
        events = [orjson.loads(item) for item in raw if item is not None]
    return ReportDetail(
        **status_fields,
        duplicate_of=fields.get("duplicate_of"),
        provenance=report.get("provenance"),
        quiet_delivery=bool(report.get("quiet_delivery")),
        events=events,
        story=fields.get("story"),
        near_duplicate_of=fields.get("near_duplicate_of"),
        contributions=orjson.loads(fields.get("contributions", "[]")),
    )
