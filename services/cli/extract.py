"""`sitrep extract`: offline extraction of JSON Lines reports; no Redis needed."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from core.errors import InvalidInput
from services.cli.inputs import open_input, open_output


def read_published(value: object) -> datetime | None:
    """A report's publication time from an ISO date or time; a year or a month alone ('2015-11') is its first day,
    as archives often know no more. Raises ValueError for anything else (shared with scripts/eval.py)."""
    if value in (None, ""):
        return None
    text = str(value)
    if len(text) in (4, 7) and text[:4].isdigit():
        return datetime(int(text[:4]), int(text[5:7]) if len(text) == 7 else 1, 1)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _published(row: dict[str, Any], number: int) -> datetime | None:
    value = row.get("published", row.get("published_at"))
    try:
        return read_published(value)
    except ValueError:
        raise InvalidInput(f"line {number}: published is not an ISO date: {value!r}") from None


def cmd_extract(args: argparse.Namespace) -> int:
    from schemas.events import ExtractionResult
    from workers.extraction import extract_events

    out = open_output(args.output)
    try:
        with open_input(args.input) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InvalidInput(f"line {number}: not JSON ({error.msg})") from None
                if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
                    raise InvalidInput(f"line {number}: expected an object with 'id' and 'text'")
                events = extract_events(row["text"], _published(row, number), report_id=str(row["id"]))
                result = ExtractionResult(id=str(row["id"]), events=events)
                out.write(result.model_dump_json(exclude_none=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
