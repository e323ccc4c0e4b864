"""Client-side subcommands: `sitrep post`, `sitrep subscribe`, `sitrep extract`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import httpx

from core.delivery.filters import AlertFilter

BATCH_LIMIT = 1000


class UserError(Exception):
    """A problem with what the user gave us: printed as one line, exit status 2."""


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None


def read_reports(text: str) -> list[dict[str, Any]]:
    """A JSON object, a JSON array of objects, or JSON Lines."""
    stripped = text.strip()
    if not stripped:
        raise UserError("no reports in the input")
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
                raise UserError(f"line {number}: not JSON ({error.msg})") from None
        parsed = rows
    items = parsed if isinstance(parsed, list) else [parsed]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UserError(f"report {index + 1}: expected a JSON object, got {type(item).__name__}")
    return items


def _explain(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text[:500]
    if isinstance(detail, list):
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg')}" for d in detail)
    return f"HTTP {response.status_code}: {detail}"


def cmd_post(args: argparse.Namespace) -> int:
    with _open_input(args.file) as handle:
        reports = read_reports(handle.read())
    base = args.url.rstrip("/")
    try:
        with httpx.Client(timeout=60) as client:
            if len(reports) == 1:
                response = client.post(f"{base}/v1/reports", json=reports[0])
                if response.status_code >= 400:
                    raise UserError(_explain(response))
                print(json.dumps(response.json()))
                return 0
            for start in range(0, len(reports), BATCH_LIMIT):
                response = client.post(f"{base}/v1/reports/batch", json=reports[start : start + BATCH_LIMIT])
                if response.status_code >= 400:
                    raise UserError(f"reports {start + 1}..: {_explain(response)}")
                for ack in response.json()["reports"]:
                    print(json.dumps(ack))
    except httpx.TransportError as error:
        raise UserError(f"cannot reach {base}: {error}") from None
    return 0


def _print_alert(alert: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(alert, ensure_ascii=False), flush=True)
    else:
        print(f"{alert.get('time', '')}  {alert.get('type', '')}  {alert['data'].get('summary', '')}", flush=True)


def _alert_filter(args: argparse.Namespace) -> AlertFilter:
    """The same filter the API applies, so both sources print the same alerts."""
    from pydantic import ValidationError

    try:
        return AlertFilter(place=args.place or [], kind=args.kind or [], category=args.category or [])
    except ValidationError as error:
        raise UserError("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())) from None


def _alerts_from_redis(redis_url: str, since: str | None) -> Iterator[dict[str, Any]]:
    """Every alert after `since` (default: the newest now), read from the log with XREAD BLOCK."""
    from core import keys
    from core.delivery.stream import parse_id
    from core.redis_conn import sync_client

    client = sync_client(redis_url)
    last = since if since not in (None, "$") else "$"
    if last not in ("$", "0", "0-0"):
        first: Any = client.xrange(keys.ALERTS_STREAM, count=1)
        if first and parse_id(first[0][0]) > parse_id(last):
            _warn_gap({"after": last, "oldest": first[0][0].decode(), "certain": False})
    if last == "$":
        newest: Any = client.xrevrange(keys.ALERTS_STREAM, count=1)
        last = newest[0][0].decode() if newest else "0-0"
    field = keys.ALERTS_STREAM_FIELD.encode()
    while True:
        reply: Any = client.xread({keys.ALERTS_STREAM: last}, block=5000, count=100)
        for _, entries in reply or []:
            for entry_id, fields in entries:
                last = entry_id.decode()
                try:
                    alert: dict[str, Any] = json.loads(fields[field])
                except (KeyError, json.JSONDecodeError):
                    continue
                alert["stream_id"] = last
                yield alert


def read_sse(lines: Iterator[str]) -> Iterator[tuple[str, str | None, str]]:
    """(event type, id, data) of each event in an SSE stream; comments and `retry:` are skipped."""
    data: list[str] = []
    event_id: str | None = None
    event = "message"
    for line in lines:
        if not line:
            if data:
                yield event, event_id, "\n".join(data)
            data, event_id, event = [], None, "message"
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
        elif name == "event":
            event = value


def _warn_gap(gap: dict[str, Any]) -> None:
    how = "were" if gap.get("certain") else "may have been"
    print(
        f"sitrep subscribe: alerts after {gap.get('after')} {how} trimmed from the log before they could be read;"
        f" continuing from the oldest left ({gap.get('oldest')})",
        file=sys.stderr,
        flush=True,
    )


def _alerts_from_api(
    url: str, since: str | None, alert_filter: AlertFilter, reconnect_seconds: float = 2.0
) -> Iterator[dict[str, Any]]:
    """Alerts from `GET /v1/alerts/stream`, filtered by the server. A dropped connection is resumed
    with `Last-Event-ID`, so nothing is lost or printed twice."""
    import time

    params = [(name, value) for name in ("place", "kind", "category") for value in getattr(alert_filter, name)]
    last = since
    connected = False
    wait = reconnect_seconds
    with httpx.Client(timeout=httpx.Timeout(10, read=None)) as client:
        while True:
            headers = {"Last-Event-ID": last} if last is not None else {}
            try:
                with client.stream(
                    "GET", f"{url.rstrip('/')}/v1/alerts/stream", params=params, headers=headers
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise UserError(_explain(response))
                    connected, wait = True, reconnect_seconds
                    for event, event_id, data in read_sse(response.iter_lines()):
                        if event == "gap":
                            _warn_gap(json.loads(data))
                            continue
                        alert: dict[str, Any] = json.loads(data)
                        if event_id is not None:
                            alert["stream_id"] = last = event_id
                        yield alert
            except (httpx.RemoteProtocolError, httpx.ReadError):
                pass  # the server went away mid-stream: resume below
            except httpx.ConnectError:
                if not connected:
                    raise  # never reached it: say so rather than wait for ever
                print(f"sitrep subscribe: {url} unreachable; retrying in {wait:.0f}s", file=sys.stderr, flush=True)
                wait = min(wait * 2, 30.0)
            time.sleep(wait)  # of the order of the server's advice (`retry:`); nothing to await


def cmd_subscribe(args: argparse.Namespace) -> int:
    import logging

    from core.delivery.stream import valid_stream_id
    from core.settings import CommonSettings

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per reconnect is noise on a terminal
    alert_filter = _alert_filter(args)
    if args.since not in (None, "$") and not valid_stream_id(args.since):
        raise UserError(f"--since: not a stream id: {args.since!r} (e.g. 0, or an id printed with --json)")
    redis_url = args.redis_url
    if redis_url is None and args.url is None:
        redis_url = CommonSettings().redis_url
    try:
        alerts: Iterator[dict[str, Any]]
        if redis_url:
            alerts = (alert for alert in _alerts_from_redis(redis_url, args.since) if alert_filter.matches(alert))
        else:
            alerts = _alerts_from_api(args.url or "http://127.0.0.1:8000", args.since, alert_filter)
        seen = 0
        for alert in alerts:
            _print_alert(alert, args.json)
            seen += 1
            if args.count is not None and seen >= args.count:
                break
    except httpx.TransportError as error:
        raise UserError(f"cannot reach the API: {error}") from None
    except KeyboardInterrupt:
        pass
    return 0


def _published(row: dict[str, Any], number: int) -> datetime | None:
    value = row.get("published", row.get("published_at"))
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"line {number}: published is not an ISO date: {value!r}") from None


def cmd_extract(args: argparse.Namespace) -> int:
    from schemas.events import ExtractionResult
    from workers.extraction import extract_events

    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    try:
        with _open_input(args.input) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise UserError(f"line {number}: not JSON ({error.msg})") from None
                if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
                    raise UserError(f"line {number}: expected an object with 'id' and 'text'")
                events = extract_events(row["text"], _published(row, number), report_id=str(row["id"]))
                result = ExtractionResult(id=str(row["id"]), events=events)
                out.write(result.model_dump_json(exclude_none=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
