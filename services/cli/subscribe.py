"""`sitrep subscribe`: print alerts as they come, from the API's SSE stream or straight from Redis; or,
with `--to TYPE`, make a subscription that sends them to a receiver (webhook, Alertmanager, Slack,
Mattermost, email, Telegram) through the API, which validates it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

import httpx

from core.delivery.filters import AlertFilter
from core.errors import InvalidInput
from services.cli.inputs import auth_headers, explain


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
        raise InvalidInput("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())) from None


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
    url: str, since: str | None, alert_filter: AlertFilter, reconnect_seconds: float = 2.0, key: str | None = None
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
            headers = auth_headers(key) | ({"Last-Event-ID": last} if last is not None else {})
            try:
                with client.stream(
                    "GET", f"{url.rstrip('/')}/v1/alerts/stream", params=params, headers=headers
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise InvalidInput(explain(response))
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


LIST_SETTINGS = frozenset({"to"})
"""Receiver settings that take several values, comma-separated on the command line."""
TOP_LEVEL = frozenset({"url", "secret"})


def _setting_value(raw: str) -> str:
    """`@FILE` reads the value from a file (`@-`: standard input), so a password need not sit in `ps`."""
    if not raw.startswith("@"):
        return raw
    path = raw[1:]
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except OSError as error:
        raise InvalidInput(f"--set: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"--set: {path} is not UTF-8 text") from None
    return text.strip()


def subscription_body(
    receiver: str, settings: list[str], alert_filter: AlertFilter, description: str | None
) -> dict[str, Any]:
    """The POST /v1/subscriptions body of `--to TYPE --set NAME=VALUE...`: `url` and `secret` at the top,
    the rest in the receiver's own settings (`label.NAME=VALUE` adds an Alertmanager label)."""
    body: dict[str, Any] = {"type": receiver, "filters": alert_filter.model_dump(exclude_defaults=True)}
    own: dict[str, Any] = {}
    for item in settings:
        name, equals, raw = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise InvalidInput(f"--set wants NAME=VALUE, not {item!r}")
        value = _setting_value(raw)
        if name in TOP_LEVEL:
            body[name] = value
        elif name.startswith("label."):
            own.setdefault("labels", {})[name.removeprefix("label.")] = value
        elif name in LIST_SETTINGS:
            own[name] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            own[name] = value
    if own:
        body[receiver] = own
    if description:
        body["description"] = description
    return body


def _create(args: argparse.Namespace, alert_filter: AlertFilter) -> int:
    """Make the subscription through the API and print it (a webhook's secret is shown this once)."""
    if args.redis_url:
        raise InvalidInput("--to makes a subscription through the API: give --url (or nothing), not --redis-url")
    body = subscription_body(args.to, args.set or [], alert_filter, args.description)
    url = (args.url or "http://127.0.0.1:8000").rstrip("/")
    try:
        response = httpx.post(f"{url}/v1/subscriptions", json=body, headers=auth_headers(args.key), timeout=30)
    except httpx.TransportError as error:
        raise InvalidInput(f"cannot reach the API: {error}") from None
    if response.status_code != 201:
        raise InvalidInput(explain(response))
    made: dict[str, Any] = response.json()
    print(json.dumps(made, ensure_ascii=False, indent=2))
    print(f"sitrep subscribe: {made['type']} subscription {made['id']} made", file=sys.stderr)
    return 0


def cmd_subscribe(args: argparse.Namespace) -> int:
    import logging

    from core.delivery.stream import valid_stream_id
    from core.settings import CommonSettings

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per reconnect is noise on a terminal
    alert_filter = _alert_filter(args)
    if args.to is not None:
        return _create(args, alert_filter)
    if args.set or args.description:
        raise InvalidInput("--set and --description go with --to TYPE (making a subscription)")
    if args.since not in (None, "$") and not valid_stream_id(args.since):
        raise InvalidInput(f"--since: not a stream id: {args.since!r} (e.g. 0, or an id printed with --json)")
    redis_url = args.redis_url
    if redis_url is None and args.url is None:
        redis_url = CommonSettings().redis_url
    try:
        alerts: Iterator[dict[str, Any]]
        if redis_url:
            alerts = (alert for alert in _alerts_from_redis(redis_url, args.since) if alert_filter.matches(alert))
        else:
            alerts = _alerts_from_api(args.url or "http://127.0.0.1:8000", args.since, alert_filter, key=args.key)
        seen = 0
        for alert in alerts:
            _print_alert(alert, args.json)
            seen += 1
            if args.count is not None and seen >= args.count:
                break
    except httpx.TransportError as error:
        raise InvalidInput(f"cannot reach the API: {error}") from None
    except KeyboardInterrupt:
        pass
    return 0
