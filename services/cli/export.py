"""`sitrep export`: stream events from the API's export routes to a file or standard output.

It reads the API, not Redis: the API renders, filters and maps the events (one implementation for
curl, the CLI and any client), applies the API's access rules, and needs no Redis credentials on an
analyst's machine. The bytes are copied as they arrive, so memory stays flat however many events.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import IO

import httpx

from core.errors import InvalidInput
from services.cli.inputs import auth_headers, explain

FORMATS = ("csv", "geojson", "jsonl")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write events as CSV (ACLED-like columns), GeoJSON or JSON Lines",
        description="Stream events from a running API (--url) as CSV with ACLED-like columns, GeoJSON or JSON "
        "Lines; filters combine (all must match). Columns and mapping: docs/api.md.",
    )
    export.add_argument("--format", choices=FORMATS, default="csv", help="default csv")
    export.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    export.add_argument("--url", default="http://127.0.0.1:8000", help="the API (default http://127.0.0.1:8000)")
    export.add_argument(
        "--key", default=None, help="API key to send (default: SITREP_API_KEY); needed once the API has keys"
    )
    export.add_argument(
        "--from", dest="date_from", metavar="DATE", help="events dated on or after this day (YYYY-MM-DD)"
    )
    export.add_argument("--to", dest="date_to", metavar="DATE", help="events dated on or before this day")
    export.add_argument("--kind", action="append", help="event kind, e.g. control_change; repeatable")
    export.add_argument("--country", action="append", help="country of the event's place, e.g. Syria; repeatable")
    export.add_argument("--actor", action="append", help="actor id or name, e.g. sdf; repeatable")
    export.add_argument("--place", action="append", help="place id, places inside it included; repeatable")
    located = export.add_mutually_exclusive_group()
    located.add_argument("--located", dest="located", action="store_const", const="true", help="only with coordinates")
    located.add_argument("--unlocated", dest="located", action="store_const", const="false", help="only without")
    export.add_argument(
        "--order",
        choices=("asc", "desc"),
        default=None,
        help="desc (default): newest stored first; asc: oldest stored first (not by event date)",
    )
    export.add_argument("--limit", type=int, default=None, help="at most this many events")
    export.set_defaults(func=cmd_export)


def _params(args: argparse.Namespace) -> list[tuple[str, str | int | float | bool | None]]:
    params: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in (("from", args.date_from), ("to", args.date_to), ("located", args.located)):
        if value is not None:
            params.append((name, value))
    for name in ("kind", "country", "actor", "place"):
        params += [(name, value) for value in getattr(args, name) or []]
    if args.order is not None:
        params.append(("order", args.order))
    if args.limit is not None:
        params.append(("limit", str(args.limit)))
    return params


def _copy(response: httpx.Response, out: IO[bytes]) -> int:
    written = 0
    for chunk in response.iter_bytes():
        out.write(chunk)
        written += len(chunk)
    return written


def _to_stdout(response: httpx.Response) -> int:
    """Copy to standard output; a reader that stops early (`| head`) ends the export quietly, status 1."""
    try:
        _copy(response, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # Python would flush stdout again at exit and print the same error: point it at nothing first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Copy `GET /v1/events.{format}` to the output; a file is written beside its name and renamed when
    complete, so a failed export never leaves a half file under the name asked for."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a request line would mix with the one-line errors
    url = f"{args.url.rstrip('/')}/v1/events.{args.format}"
    target = None if args.output == "-" else Path(args.output)
    if target is not None and target.is_dir():
        raise InvalidInput(f"cannot write {args.output}: it is a directory; name a file in it")
    partial = None if target is None else target.with_name(target.name + ".part")
    try:
        with httpx.Client(timeout=httpx.Timeout(10, read=300), headers=auth_headers(args.key)) as client:
            with client.stream("GET", url, params=_params(args)) as response:
                if response.status_code >= 400:
                    response.read()
                    raise InvalidInput(explain(response))
                if partial is None:
                    return _to_stdout(response)
                try:
                    with open(partial, "wb") as out:
                        _copy(response, out)
                except OSError as error:
                    raise InvalidInput(f"cannot write {args.output}: {error.strerror}") from None
        assert target is not None
        try:
            os.replace(partial, target)
        except OSError as error:
            raise InvalidInput(f"cannot write {args.output}: {error.strerror}") from None
    except httpx.TransportError as error:
        raise InvalidInput(f"cannot read {url}: {error}") from None
    finally:
        if partial is not None and partial.exists():
            partial.unlink()
    return 0
