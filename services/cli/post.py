"""`sitrep post`: send reports (a JSON object, a JSON array, or JSON Lines) to the API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import httpx

from core.errors import InvalidInput
from services.cli.inputs import auth_headers, explain, open_input

BATCH_LIMIT = 1000

WAITS_AT_MOST = 6
"""Times one request is sent again after a `429` (rate limit) or `503` (ingest paused, Redis away), each after
its `Retry-After` (at most MAX_WAIT_SECONDS): resends are safe, the API recognises them."""

MAX_WAIT_SECONDS = 30.0


def send(client: httpx.Client, url: str, body: Any) -> httpx.Response:
    """POST `body`, waiting out a `429` or `503` as its `Retry-After` says, a few times."""
    for _ in range(WAITS_AT_MOST):
        response = client.post(url, json=body)
        if response.status_code not in (429, 503):
            return response
        retry_after = response.headers.get("retry-after", "1")
        wait = min(float(retry_after) if retry_after.isdigit() else 1.0, MAX_WAIT_SECONDS)
        print(f"sitrep post: {explain(response)}; sending again in {wait:g} s", file=sys.stderr, flush=True)
        time.sleep(wait)  # the server said how long; nothing else to wait on
    return client.post(url, json=body)


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
                response = send(client, f"{base}/v1/reports", reports[0])
                if response.status_code >= 400:
                    raise InvalidInput(explain(response))
                print(json.dumps(response.json()))
                return 0
            for start in range(0, len(reports), BATCH_LIMIT):
                response = send(client, f"{base}/v1/reports/batch", reports[start : start + BATCH_LIMIT])
                if response.status_code >= 400:
                    raise InvalidInput(f"reports {start + 1}..: {explain(response)}")
                for ack in response.json()["reports"]:
                    print(json.dumps(ack))
    except httpx.TransportError as error:
        raise InvalidInput(f"cannot reach {base}: {error}") from None
    return 0
