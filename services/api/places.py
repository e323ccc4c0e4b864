"""The board's reads: GET /v1/places (each place the situation knows, with a point to draw) and
GET /v1/places/{place} (its history of control and counts, each step with its sentence and reports).

The situation (services/notifier) holds no coordinates; a place's point is read once from one of its
events (rendered in Redis) and kept in the process, since a place does not move.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from typing import Annotated, Any

import orjson
import redis.asyncio
from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from starlette.responses import Response

from core import keys
from core.event_reader import read_events_async
from schemas.places import HistoryEntry, HistoryReport, PlaceHistory, PlaceSummary
from services.api.deps import RedisDep
from services.api.event_query import EventFilter, event_filter

router = APIRouter(prefix="/v1", tags=["read"])

Filters = Annotated[EventFilter, Depends(event_filter)]
HISTORY_MENTIONS = 5
"""Reports listed per step of a history (the earliest mentions)."""
HISTORY_MAX_EVENTS = 300
"""Events read for one history: a place's control and counts name a few dozen; a cap keeps one request short."""
POINT_CACHE_MAX = 100_000
RENDER_CHUNK = 200
"""Events rendered per script call: one call runs alone in Redis, so it must stay short (as event_query does)."""

_points: dict[str, tuple[float, float] | None] = {}
"""Place id → (lat, lon), or None for a place the gazetteer has no point for. Places do not move."""
_points_generation = 0
"""Moves when this process learns points, which changes rows without a new situation version (in the ETag)."""
PAGE_MAX = 1000
"""Most places one `GET /v1/places` looks at: a page's work stays bounded however many places there are."""


async def _render(client: redis.asyncio.Redis, event_ids: list[str], mentions: int) -> list[bytes | None]:
    rendered: list[bytes | None] = []
    for start in range(0, len(event_ids), RENDER_CHUNK):
        rendered += await read_events_async(client, event_ids[start : start + RENDER_CHUNK], mentions)
    return rendered


_index: tuple[str, list[str]] = ("", [])
"""(situation version, sorted place ids) as last read by this process: the ids are read again only when the
version moved, so a page of a large list reads its own situations, not all of them."""


async def _version(client: redis.asyncio.Redis) -> str | None:
    """The situations' version; None before the notifier has written one (then nothing is cached or tagged)."""
    raw: Any = await client.get(keys.SITUATION_VERSION)
    return raw.decode() if raw is not None else None


async def _place_ids(client: redis.asyncio.Redis, version: str | None) -> list[str]:
    """Every place id, sorted. Read after `version`: a write in between only makes the cached list newer."""
    global _index
    if version is None or _index[0] != version:
        members: Any = await client.smembers(keys.SITUATION_INDEX)
        ids = sorted(member.decode() for member in members)
        _index = (version or "", ids)
        return ids
    return _index[1]


def _candidates(ids: list[str], places: tuple[str, ...], cursor: str | None) -> list[str]:
    """The ids a page may list: after `cursor`, and when `place` is asked for, only those places and the ones
    inside them (found by bisection in the sorted ids, not by a scan)."""
    start = bisect.bisect_right(ids, cursor) if cursor is not None else 0
    if not places:
        return ids[start:]
    found: set[str] = set()
    for place in places:
        low = bisect.bisect_left(ids, place)
        if low < len(ids) and ids[low] == place:
            found.add(place)
        low = bisect.bisect_left(ids, place + "/")
        high = bisect.bisect_left(ids, place + "0")  # "0" follows "/": every id that starts with "place/"
        found.update(ids[low:high])
    return [place_id for place_id in sorted(found) if cursor is None or place_id > cursor]


async def _situations(client: redis.asyncio.Redis, place_ids: list[str]) -> list[dict[str, Any]]:
    raw: list[Any] = await client.mget([keys.situation(place) for place in place_ids]) if place_ids else []
    return [orjson.loads(item) for item in raw if item is not None]


def _control_states(situation: dict[str, Any]) -> list[dict[str, Any]]:
    return [state for state in [situation.get("control"), *situation.get("history", [])] if state]


def _any_event(situation: dict[str, Any]) -> str | None:
    for state in _control_states(situation):
        if state.get("events"):
            return str(state["events"][0])
    for count in (situation.get("counts") or {}).values():
        if count.get("events"):
            return str(count["events"][0])
    return None


async def _locate(client: redis.asyncio.Redis, situations: list[dict[str, Any]]) -> None:
    """Fill the point cache for places not in it, one render call for all of them."""
    wanted = {s["place_id"]: _any_event(s) for s in situations if s["place_id"] not in _points}
    asked = {place: event for place, event in wanted.items() if event is not None}
    if not asked:
        return
    if len(_points) + len(asked) > POINT_CACHE_MAX:
        _points.clear()
    rendered = await _render(client, list(asked.values()), 0)
    learnt = False
    for place_id, raw in zip(asked, rendered, strict=True):
        if raw is None:
            continue  # the event expired: try another time
        place = orjson.loads(raw).get("place") or {}
        lat, lon = place.get("lat"), place.get("lon")
        _points[place_id] = (float(lat), float(lon)) if lat is not None and lon is not None else None
        learnt = True
    if learnt:  # only then: a place whose events expired must not change the ETag at every ask
        global _points_generation
        _points_generation += 1


def _summary(situation: dict[str, Any]) -> dict[str, Any]:
    """A `PlaceSummary` as a dict, built from the stored Situation JSON without validating it again (the notifier
    wrote it as a Situation; a model per place made a list of 10,000 places take twice as long)."""
    control = situation.get("control") or {}
    counts = situation.get("counts") or {}
    point = _points.get(situation["place_id"])
    located = "place" if point else None
    parent = situation["place_id"].rpartition("/")[0]  # ids are parent first; `parent` holds the parent's name
    if point is None and parent:
        point = _points.get(parent)
        located = "parent" if point else None
    sources: list[str] = []
    for source in [*control.get("sources", []), *(s for c in counts.values() for s in c.get("sources", []))]:
        if source not in sources:
            sources.append(source)
    states = _control_states(situation)
    kinds = []
    if any(state.get("basis", "change") == "change" for state in states):
        kinds.append("control_change")
    if any(state.get("basis") in ("state", "historical") for state in states):
        kinds.append("control_state")
    if counts:
        kinds.append("civilian_count")
    return {
        "place_id": situation["place_id"],
        "name": situation.get("name") or situation["place_id"],
        "parent": situation.get("parent"),
        "country": situation.get("country"),
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "located": located,
        "controller": control.get("controller"),
        "controller_name": control.get("controller_name"),
        "since": control.get("since"),
        "contested": control.get("contested", False),
        "counts": [
            {
                "category": count.get("category"),
                "kind": count.get("kind", "stock"),
                "min": count.get("min"),
                "max": count.get("max"),
                "as_of": count.get("as_of"),
                "totals": count.get("totals") or {},
            }
            for count in counts.values()
        ],
        "sources": sources,
        "kinds": kinds,
        "report_time": situation.get("report_time"),
    }


def _facts(situation: dict[str, Any]) -> list[dict[str, Any]]:
    """The situation as event-shaped facts for EventFilter: each holding, each count."""
    place = {"id": situation["place_id"], "country": situation.get("country")}
    facts = []
    for state in _control_states(situation):
        kind = "control_change" if state.get("basis", "change") == "change" else "control_state"
        since = state.get("since")
        facts.append(
            {
                "kind": kind,
                "place": place,
                "time": {"date": since[:10] if since else None},
                "actor": {"id": state.get("controller"), "name": state.get("controller_name")},
                "previous_actor": {"id": state.get("previous"), "name": state.get("previous_name")},
            }
        )
    for count in (situation.get("counts") or {}).values():
        as_of = count.get("as_of")
        facts.append({"kind": "civilian_count", "place": place, "time": {"date": as_of[:10] if as_of else None}})
    return facts


def _etag(version: str, request: Request) -> str:
    raw = f"{version}:{_points_generation}:{request.url.query}".encode()
    return '"places-' + hashlib.sha256(raw).hexdigest()[:24] + '"'


def _not_modified(request: Request, tag: str) -> bool:
    asked = request.headers.get("if-none-match")
    if asked is None:
        return False
    return asked.strip() == "*" or tag in (part.strip().removeprefix("W/") for part in asked.split(","))


@router.get(
    "/places",
    response_model=list[PlaceSummary],
    operation_id="list_places",
    responses={304: {"description": "Unchanged since the `ETag` given in `If-None-Match`"}},
)
async def list_places(
    request: Request,
    redis: RedisDep,
    wanted: Filters,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description="Most places the page looks at")] = PAGE_MAX,
    cursor: Annotated[
        str | None, Query(description='The `cursor` of the previous page\'s `Link: rel="next"`: continue after it')
    ] = None,
) -> Response:
    """Every place the situation knows, with its holder, counts, sources and a point to draw (its own, else its
    parent's), in place-id order, a page at a time (`limit`, and a `Link: <...>; rel="next"` header while more
    remain). The events' filters apply to its holdings and counts: a place is listed when one of them passes
    (`kind`, `actor`, `from`/`to` on the day of a holding or count); `place` reads only that place and those
    inside it; `located` asks for a point. An `ETag` names the situations' version: sent back in
    `If-None-Match`, an unchanged list answers 304 without reading them."""
    version = await _version(redis)
    headers = {"Cache-Control": "private, no-cache"}
    if version is not None:
        headers["ETag"] = _etag(version, request)
        if _not_modified(request, headers["ETag"]):
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    candidates = _candidates(await _place_ids(redis, version), wanted.place, cursor)
    page = candidates[:limit]
    situations = await _situations(redis, page)
    listed = set(page)
    parents = sorted({p for p in (i.rpartition("/")[0] for i in page) if p and p not in listed and p not in _points})
    await _locate(redis, situations + await _situations(redis, parents))  # a quarter is drawn at its town's point
    if version is not None:  # a point learnt just now changes the tag: name the rows as sent
        headers["ETag"] = _etag(version, request)
    facts_filter = dataclasses.replace(wanted, located=None, place=())
    filtering = facts_filter != EventFilter()
    rows = []
    for situation in situations:
        row = _summary(situation)
        if wanted.located is not None and (row["lat"] is not None) != wanted.located:
            continue
        if filtering and not any(facts_filter.matches(f) for f in _facts(situation)):
            continue
        rows.append(row)
    if len(candidates) > limit:
        following = request.url.include_query_params(cursor=page[-1])
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    # The tag names the version read before the situations: if one changed meanwhile, the next ask is a 200.
    return Response(orjson.dumps(rows), media_type="application/json", headers=headers)


def _roles(situation: dict[str, Any]) -> dict[str, str]:
    """Event id → why it is in the history; the first role named wins."""
    roles: dict[str, str] = {}
    control = situation.get("control") or {}
    for event in control.get("events", []):
        roles.setdefault(event, "control")
    for dissent in control.get("dissent", []):
        roles.setdefault(dissent["event"], "dissent")
    for state in situation.get("history", []):
        for event in state.get("events", []):
            roles.setdefault(event, "earlier_control")
    for count in (situation.get("counts") or {}).values():
        for event in count.get("events", []):
            roles.setdefault(event, "count")
        for contribution in count.get("contributions", []):
            roles.setdefault(contribution["event"], "count")
    return dict(list(roles.items())[:HISTORY_MAX_EVENTS])


async def _report_links(client: redis.asyncio.Redis, report_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The url and title each report was sent with, where it is still kept."""
    if not report_ids:
        return {}
    async with client.pipeline(transaction=False) as pipe:
        for report_id in report_ids:
            pipe.hget(keys.report(report_id), "report")
        raw: list[Any] = await pipe.execute()
    links = {}
    for report_id, item in zip(report_ids, raw, strict=True):
        if item is not None:
            report = orjson.loads(item)
            links[report_id] = {"url": report.get("url"), "title": report.get("title")}
    return links


def _entry(event: dict[str, Any], role: str, links: dict[str, dict[str, Any]]) -> HistoryEntry:
    actor = event.get("actor") or {}
    previous = event.get("previous_actor") or {}
    count = event.get("count") or {}
    time = event.get("time") or {}
    reports = [
        HistoryReport(
            report_id=mention["report_id"],
            source=mention["source"],
            published_at=mention["published_at"],
            status_url=f"/v1/reports/{mention['report_id']}",
            **links.get(mention["report_id"], {}),
        )
        for mention in event.get("mentions", [])
    ]
    return HistoryEntry.model_validate(
        {
            "event_id": event["id"],
            "kind": event["kind"],
            "role": role,
            "date": time.get("date"),
            "precision": time.get("precision", "day"),
            "controller": actor.get("id"),
            "controller_name": actor.get("name"),
            "previous": previous.get("id"),
            "previous_name": previous.get("name"),
            "category": event.get("category"),
            "count_min": count.get("min"),
            "count_max": count.get("max"),
            "stance": event.get("stance", "asserted"),
            "sentence": (event.get("evidence") or {}).get("sentence", ""),
            "sources": event.get("sources", []),
            "mention_count": event.get("mention_count", 0),
            "reports": reports,
        }
    )


@router.get("/places/{place_id:path}", response_model=PlaceHistory, operation_id="get_place_history")
async def get_place_history(place_id: str, redis: RedisDep) -> Response:
    """One place's row and the events behind its control (now and before, and dissent) and its counts, newest
    first, each with the evidence sentence, its outlets and the reports that told it (API and original links)."""
    place_id = place_id.strip("/").lower()
    parent = place_id.rpartition("/")[0]
    raw, parent_raw = await redis.mget([keys.situation(place_id), keys.situation(parent or place_id)])
    if raw is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no situation for {place_id!r}")
    situation = orjson.loads(raw)
    await _locate(redis, [situation, *([orjson.loads(parent_raw)] if parent and parent_raw is not None else [])])
    roles = _roles(situation)
    rendered = await _render(redis, list(roles), HISTORY_MENTIONS)
    events = [orjson.loads(item) for item in rendered if item is not None]
    report_ids = sorted({m["report_id"] for event in events for m in event.get("mentions", [])})
    links = await _report_links(redis, report_ids)
    entries = [_entry(event, roles[event["id"]], links) for event in events]
    entries.sort(key=lambda entry: (entry.date is not None, entry.date), reverse=True)
    history = PlaceHistory(place=PlaceSummary.model_validate(_summary(situation)), entries=entries)
    return Response(history.model_dump_json().encode(), media_type="application/json")
