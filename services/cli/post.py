"""`sitrep post`: send reports (a JSON object, a JSON array, or JSON Lines) to the API."""

from __future__ import annotations

import argparse
import json
from typing import Any

import httpx

from core.errors import InvalidInput
from services.cli.inputs import auth_headers, explain, open_input

BATCH_LIMIT = 1000


def read_reports(text: str) -> list[dict[str, Any]]:
    """A JSON object, a JSON array of objects, or JSON Lines."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("no reports in the input")
    try:
        parsed = json.loads(stripped)
    except json.JSONDecodeError:
        parsed = None
        rows = []
        for number, line in enumerate(stripped.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise InvalidInput(f"line {number}: not JSON ({error.msg})") from None
        parsed = rows
    items = parsed if isinstance(parsed, list) else [parsed]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"report {index + 1}: expected a JSON object, got {type(item).__name__}")
    return items


def cmd_post(args: argparse.Namespace) -> int:
    with open_input(args.file) as handle:
        reports = read_reports(handle.read())
    base = args.url.rstrip("/")
    try:
        with httpx.Client(timeout=60, headers=auth_headers(args.key)) as client:
            if len(reports) == 1:
                response = client.post(f"{base}/v1/reports", json=reports[0])
                if response.status_code >= 400:
                    raise InvalidInput(explain(response))
                print(json.dumps(response.json()))
                return 0
            for start in range(0, len(reports), BATCH_LIMIT):
                response = client.post(f"{base}/v1/reports/batch", json=reports[start : start + BATCH_LIMIT])
                if response.status_code >= 400:
                    raise InvalidInput(f"reports {start + 1}..: {explain(response)}")
                for ack in response.json()["reports"]:
                    print(json.dumps(ack))
    except httpx.TransportError as error:
        raise InvalidInput(f"cannot reach {base}: {error}") from None
    return 0
