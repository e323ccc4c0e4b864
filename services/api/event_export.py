"""Canonical events as ACLED-like rows, written as CSV, GeoJSON or JSON Lines a chunk at a time.

The mapping from sitrep's kinds to ACLED's codebook is in docs/api.md ("Exports"); where ACLED has no
code for what sitrep knows (a control state, a count of trapped civilians, a year-only date), the
ACLED column stays empty and sitrep's own column says it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import orjson

ACLED_COLUMNS = (
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
SITREP_COLUMNS = (
    "event_id",
    "kind",
    "date_precision",
    "place_id",
    "actor1_id",
    "actor2_id",
    "category",
    "count_min",
    "count_max",
    "stance",
    "historical",
    "confidence",
    "mention_count",
    "independent_sources",
)
COLUMNS = ACLED_COLUMNS + SITREP_COLUMNS

_TIME_PRECISION = {"day": 1, "week": 2, "month": 3}
"""ACLED's codes: 1 the day, 2 the week, 3 the month; it has none for a year."""

_EVENT_TYPE = {
    "Non-state actor overtakes territory": "Battles",
    "Government regains territory": "Battles",
    "Armed clash": "Battles",
    "Air/drone strike": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Non-violent transfer of territory": "Strategic developments",
    "Agreement": "Strategic developments",
}
"""ACLED's event type of each sub-event type the extractor gives. The extractor's `Attack` is left out:
in ACLED it means violence against civilians, and sitrep does not know whom an attack targeted."""

_OTHER_DEVELOPMENT = frozenset({"surrender", "release"})
"""Kinds ACLED would code as the strategic development `Other` (it has no surrender or release type)."""

_COUNTRY_PREFIX = re.compile(r"^[a-z]{2}/")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FLUSH_BYTES = 32_768


def _acled_types(event: dict[str, Any]) -> tuple[str, str]:
    kind = event.get("kind")
    sub = event.get("acled_sub_event_type") or ""
    if kind in _OTHER_DEVELOPMENT:
        return "Strategic developments", "Other"
    event_type = _EVENT_TYPE.get(sub)
    return (event_type, sub) if event_type else ("", "")


def _geography(place: dict[str, Any]) -> tuple[str, int | str]:
    """(admin1, geo_precision) from what the place says: coordinates make it a town (1); a country's region
    (`sy/idlib`) has none, and only the region is known (3)."""
    place_id = str(place.get("id") or "")
    parts = place_id.split("/")
    is_area = bool(_COUNTRY_PREFIX.match(place_id)) and len(parts) == 2
    admin1 = ""
    if is_area and not parts[1].endswith("-district"):
        admin1 = str(place.get("name") or "")
    elif _COUNTRY_PREFIX.match(place_id) and len(parts) == 3:
        admin1 = str(place.get("parent") or "")  # gazetteer towns are `country/region/town`
    if place.get("lat") is not None and place.get("lon") is not None:
        return admin1, 1
    return admin1, 3 if is_area else ""


def acled_row(event: dict[str, Any]) -> dict[str, Any]:
    """One event as the export's columns (numbers as numbers, unknowns as empty strings)."""
    time = event.get("time") or {}
    day = str(time.get("date") or "")
    precision = str(time.get("precision") or "")
    place = event.get("place") or {}
    actor1 = event.get("actor") or {}
    actor2 = event.get("previous_actor") or event.get("to") or {}
    count = event.get("count") or {}
    event_type, sub_event_type = _acled_types(event)
    admin1, geo_precision = _geography(place)
    fatalities: int | str = ""
    if event.get("kind") == "civilian_count" and event.get("category") == "killed" and count.get("min") is not None:
        fatalities = int(count["min"])  # ACLED codes the most conservative figure
    evidence = event.get("evidence") or {}

    def blank(value: Any) -> Any:
        return "" if value is None else value

    return {
        "event_date": day,
        "year": day[:4],
        "time_precision": _TIME_PRECISION.get(precision, ""),
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": blank(actor1.get("name")),
        "actor2": blank(actor2.get("name")),
        "country": blank(place.get("country")),
        "admin1": admin1,
        "location": blank(place.get("name")),
        "latitude": blank(place.get("lat")),
        "longitude": blank(place.get("lon")),
        "geo_precision": geo_precision,
        "source": "; ".join(event.get("sources") or []),
        "notes": blank(evidence.get("sentence") or evidence.get("text")),
        "fatalities": fatalities,
        "event_id": event.get("id", ""),
        "kind": blank(event.get("kind")),
        "date_precision": precision,
        "place_id": blank(place.get("id")),
        "actor1_id": blank(actor1.get("id")),
        "actor2_id": blank(actor2.get("id")),
        "category": blank(event.get("category")),
        "count_min": blank(count.get("min")),
        "count_max": blank(count.get("max")),
        "stance": blank(event.get("stance")),
        "historical": "true" if event.get("historical") else "false",
        "confidence": blank(event.get("confidence")),
        "mention_count": blank(event.get("mention_count")),
        "independent_sources": blank(event.get("independent_sources")),
    }


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading
    apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


async def csv_chunks(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """RFC 4180 CSV with a header row, UTF-8, in chunks of about 32 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    async for event in events:
        row = acled_row(event)
        writer.writerow([neutralise(row[column]) for column in COLUMNS])
        if buffer.tell() >= _FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def feature(event: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature: a Point where the place has coordinates, else `geometry: null` (an unlocated
    feature, RFC 7946 section 3.2), so a count of events per filter is the same in every format."""
    row = acled_row(event)
    place = event.get("place") or {}
    lat, lon = place.get("lat"), place.get("lon")
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    properties = {key: (None if value == "" else value) for key, value in row.items()}
    properties["historical"] = bool(event.get("historical"))  # JSON has booleans; the CSV spells it
    return {"type": "Feature", "id": event.get("id"), "geometry": geometry, "properties": properties}


async def geojson_chunks(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """One FeatureCollection, written as it is read."""
    parts: list[bytes] = [b'{"type":"FeatureCollection","features":[']
    size, first = 0, True
    async for event in events:
        parts.append((b"" if first else b",") + orjson.dumps(feature(event)))
        first = False
        size += len(parts[-1])
        if size >= _FLUSH_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(b"]}\n")
    yield b"".join(parts)


async def jsonl_chunks(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """One canonical event (as `GET /v1/events/{id}` shows it) per line."""
    parts: list[bytes] = []
    size = 0
    async for event in events:
        parts.append(orjson.dumps(event) + b"\n")
        size += len(parts[-1])
        if size >= _FLUSH_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    yield b"".join(parts)
