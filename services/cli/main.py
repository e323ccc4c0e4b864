"""The `sitrep` command: the whole pipeline, each part alone, and the client tools.

Every subcommand fails with a one-line message and a non-zero exit on bad input, never a trace.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import redis

from core.delivery.receiver_settings import RECEIVER_TYPES
from core.errors import (
    EmbeddedRedisFailed,
    ExposedWithoutKey,
    ExtractorUnavailable,
    InvalidInput,
    KeyLimitReached,
    RedisUrlMissing,
    SecretUnavailable,
    SitrepError,
    UnknownWorkerClass,
)
from services.cli import archive_import, export
from services.cli import feeds as feeds_command
from services.cli import keys as keys_command
from services.cli.extract import cmd_extract
from services.cli.post import cmd_post
from services.cli.reports import cmd_reports_failed, cmd_reports_retry
from services.cli.subscribe import cmd_subscribe

if TYPE_CHECKING:
    from core.settings import IngestSettings


def _cmd_run(args: argparse.Namespace) -> int:
    from core.redis_conn import sync_client
    from core.settings import CommonSettings, IngestSettings
    from services.api.access import may_be_open
    from services.supervisor import run_pipeline

    settings = CommonSettings()
    insecure_open = args.insecure_open or IngestSettings().insecure_open
    if insecure_open:
        os.environ["SITREP_INSECURE_OPEN"] = "true"  # for the API child

    def preflight(redis_url: str) -> None:
        may_be_open(args.host, insecure_open, lambda: sync_client(redis_url))

    _prepare_extractor()
    return run_pipeline(
        args.host,
        args.port,
        args.workers,
        Path(args.data_dir),
        settings.redis_url,
        preflight,
        maxmemory_bytes=settings.redis_maxmemory_bytes,
        appendfsync=settings.redis_appendfsync,
    )


def _prepare_extractor() -> None:
    """Build the extractor's caches (gazetteer, word list) once, before the workers start and each build them."""
    child = subprocess.Popen([sys.executable, "-c", "import workers.extraction"])
    try:
        child.wait(timeout=2)
    except subprocess.TimeoutExpired:
        print("sitrep: building the place gazetteer from GeoNames, once per machine (about 30 s)", flush=True)
        child.wait()
    if child.returncode != 0:
        raise ExtractorUnavailable("could not load the extractor's lexicons or build its gazetteer (see above)")


def _cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    from core import logs
    from core.gc_freeze import freeze_startup_objects
    from core.redis_conn import sync_client
    from core.settings import IngestSettings
    from services.api.access import is_loopback, may_be_open
    from services.api.app import create_app

    settings = IngestSettings()
    if not settings.redis_url:
        raise RedisUrlMissing("REDIS_URL is not set: `sitrep api` needs a Redis (or use `sitrep run`)")
    redis_url = settings.redis_url
    allow_open = may_be_open(args.host, args.insecure_open or settings.insecure_open, lambda: sync_client(redis_url))
    app = create_app(settings, allow_open, local_hosts_only=is_loopback(args.host) or settings.local_hosts_only)
    freeze_startup_objects()  # the app's modules and schemas: not walked again by every full collection
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=logs.LIBRARY_LEVEL.lower(),  # SITREP_LOG_LEVEL is for our loggers (docs/telemetry.md)
        log_config=None,  # uvicorn's loggers go through ours (core/logs.py): JSON lines, ids, secrets masked
        access_log=args.access_log,
        timeout_graceful_shutdown=5,
        **proxy_options(settings),
    )
    return 0


def proxy_options(settings: IngestSettings) -> dict[str, Any]:
    """uvicorn's proxy options, explicit: its default believes X-Forwarded-For from loopback (or from anyone with
    FORWARDED_ALLOW_IPS=*), which would let a caller pick the address its rate limit is counted under."""
    trusted = settings.forwarded_allow_ips.strip()
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or "127.0.0.1"}


def _cmd_worker(args: argparse.Namespace) -> int:
    from core.settings import WorkerSettings
    from workers.runner import run_worker

    return run_worker(WorkerSettings(), queues=args.queues, burst=args.burst, worker_class=args.worker_class)


def _cmd_notifier(args: argparse.Namespace) -> int:
    from core.settings import NotifierSettings
    from services.notifier.consumer import run_notifier

    return run_notifier(NotifierSettings(), until_idle=args.until_idle)


def _cmd_dispatcher(args: argparse.Namespace) -> int:
    from core.settings import DeliverySettings
    from services.dispatcher import run_dispatcher

    return run_dispatcher(DeliverySettings(), until_idle=args.until_idle)


_INSECURE_HELP = (
    "serve with no API key on a non-loopback address (SITREP_INSECURE_OPEN); without it, or a key, the API"
    " refuses to start there"
)
_KEY_HELP = "API key to send (default: SITREP_API_KEY); needed once the API has keys"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitrep", description="Conflict reports in; events, situation and alerts out."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="the whole pipeline: Redis (embedded unless REDIS_URL), API, workers, notifier")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--workers", type=int, default=2, help="report workers (default 2); one webhook worker is started besides"
    )
    run.add_argument("--data-dir", default=".sitrep", help="where the embedded Redis keeps its data (default .sitrep)")
    run.add_argument("--insecure-open", action="store_true", help=_INSECURE_HELP)
    run.set_defaults(func=_cmd_run)

    api = sub.add_parser("api", help="the HTTP ingest and query service (needs REDIS_URL)")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.add_argument("--access-log", action="store_true", help="log every request")
    api.add_argument("--insecure-open", action="store_true", help=_INSECURE_HELP)
    api.set_defaults(func=_cmd_api)

    worker = sub.add_parser("worker", help="an RQ worker that extracts and deduplicates events (needs REDIS_URL)")
    worker.add_argument(
        "queues", nargs="*", help="queues to listen on, first first (default: 'sitrep', then 'sitrep-webhooks')"
    )
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument(
        "--worker-class",
        default=None,
        help="RQ worker class (default rq.worker.SimpleWorker; rq.worker.Worker forks per job)",
    )
    worker.set_defaults(func=_cmd_worker)

    notifier = sub.add_parser("notifier", help="keeps the situation per place and emits alerts (needs REDIS_URL)")
    notifier.add_argument("--until-idle", action="store_true", help="exit once no event is left to read")
    notifier.set_defaults(func=_cmd_notifier)

    dispatcher = sub.add_parser(
        "dispatcher", help="queues a signed webhook delivery per alert and subscription (needs REDIS_URL)"
    )
    dispatcher.add_argument("--until-idle", action="store_true", help="exit once no alert is left to read")
    dispatcher.set_defaults(func=_cmd_dispatcher)

    post = sub.add_parser("post", help="send reports: a JSON object, a JSON array, or JSON Lines")
    post.add_argument("file", help="a file, or - for standard input")
    post.add_argument("--url", default="http://127.0.0.1:8000", help="the API (default http://127.0.0.1:8000)")
    post.add_argument("--key", default=None, help=_KEY_HELP)
    post.set_defaults(func=cmd_post)

    subscribe = sub.add_parser(
        "subscribe", help="print alerts as they come, or (--to) send them to a webhook, Alertmanager, chat, email"
    )
    origin = subscribe.add_mutually_exclusive_group()
    origin.add_argument("--url", default=None, help="read from the API's SSE stream (default http://127.0.0.1:8000)")
    origin.add_argument("--redis-url", default=None, help="read the alert stream straight from Redis")
    subscribe.add_argument("--key", default=None, help=_KEY_HELP)
    subscribe.add_argument("--since", default=None, help="replay from this alert stream id first; 0 for all history")
    subscribe.add_argument("--json", action="store_true", help="one JSON object per line")
    subscribe.add_argument(
        "--place", action="append", help="only alerts about this place id (and places inside it); repeatable"
    )
    subscribe.add_argument(
        "--kind", "--type", action="append", help="only this alert kind, e.g. control_changed (or its full type)"
    )
    subscribe.add_argument("--category", action="append", help="only this civilian category, e.g. trapped")
    subscribe.add_argument("--count", type=int, default=None, help="exit after this many alerts")
    subscribe.add_argument(
        "--to",
        choices=RECEIVER_TYPES,
        default=None,
        help="instead of printing, make a subscription that sends the alerts (same filters) to this receiver",
    )
    subscribe.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="a setting of the --to receiver, e.g. url=…, host=…, to=a@x,b@y, bot_token=@FILE, label.team=ops",
    )
    subscribe.add_argument("--description", default=None, help="with --to: what the subscription is for")
    subscribe.set_defaults(func=cmd_subscribe)

    reports = sub.add_parser("reports", help="failed reports: list them, queue them again (needs REDIS_URL)")
    reports_sub = reports.add_subparsers(dest="action", required=True, metavar="ACTION")
    failed = reports_sub.add_parser("failed", help="list failed reports, newest first")
    failed.add_argument("--limit", type=int, default=100)
    failed.set_defaults(func=cmd_reports_failed)
    retry = reports_sub.add_parser("retry", help="queue failed reports again")
    retry.add_argument("ids", nargs="*", help="report ids")
    retry.add_argument("--all-failed", action="store_true", help="every failed report")
    retry.set_defaults(func=cmd_reports_retry)

    extract = sub.add_parser("extract", help="offline extraction of JSON Lines reports; no Redis needed")
    extract.add_argument("input", help="JSON Lines: {id, text, published|published_at, title?}; - for stdin")
    extract.add_argument("-o", "--output", default="-", help="where to write {id, events} lines (default stdout)")
    extract.set_defaults(func=cmd_extract)
    export.add_parser(sub)

    keys_command.add_parser(sub)
    feeds_command.add_parser(sub)
    archive_import.add_parser(sub)
    return parser


def _is_settings(title: str) -> bool:
    """Whether a ValidationError's title names one of our settings classes (a bad environment variable)."""
    from pydantic_settings import BaseSettings

    from core import settings

    found = getattr(settings, title, None)
    return isinstance(found, type) and issubclass(found, BaseSettings)


USER_ERRORS: dict[type[SitrepError], int] = {
    InvalidInput: 2,
    RedisUrlMissing: 2,
    UnknownWorkerClass: 2,
    ExposedWithoutKey: 2,
    KeyLimitReached: 2,
    SecretUnavailable: 2,
    ExtractorUnavailable: 1,
    EmbeddedRedisFailed: 1,
}
"""The errors a user can fix, printed as `sitrep COMMAND: message`, and the exit status of each."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from core.logs import configure
        from core.settings import CommonSettings

        configure(CommonSettings().log_level, process_kind=args.command)
        if args.command in ("run", "api", "worker", "dispatcher", "keys"):
            from core.delivery import sealing

            sealing.configured()  # a malformed SITREP_WEBHOOK_SECRET_KEYS stops the start, in one line
        code: int = args.func(args)
    except SitrepError as error:
        status = next((code for kind, code in USER_ERRORS.items() if isinstance(error, kind)), None)
        if status is None:
            raise  # not the user's to fix: a bug, which must show its trace
        print(f"sitrep {args.command}: {error}", file=sys.stderr)
        return status
    except pydantic.ValidationError as error:
        if not _is_settings(error.title):
            raise  # not a setting: a bug, which must show its trace
        for problem in error.errors():
            name = "_".join(str(part) for part in problem["loc"]).upper()
            variable = name if name == "REDIS_URL" else f"SITREP_{name}"
            print(f"sitrep {args.command}: {variable}={problem.get('input')!r}: {problem['msg']}", file=sys.stderr)
        return 2
    except redis.ConnectionError as error:
        print(f"sitrep {args.command}: cannot reach Redis: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
