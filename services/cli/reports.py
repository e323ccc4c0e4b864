"""`sitrep reports failed|retry`: the failed reports, straight from Redis (an operator's tool: REDIS_URL)."""

from __future__ import annotations

import argparse
from typing import Any

from core import keys
from core.errors import InvalidInput, RedisUrlMissing
from core.redis_conn import sync_client
from core.settings import IngestSettings
from services.api.report_store import ReportStore


def _store() -> ReportStore:
    settings = IngestSettings()
    if not settings.redis_url:
        raise RedisUrlMissing("REDIS_URL is not set: `sitrep reports` reads the failed reports from Redis")
    return ReportStore.from_settings(settings, sync_client(settings.redis_url))


def cmd_reports_retry(args: argparse.Namespace) -> int:
    """Queue failed reports again: the ones named, or every one with --all-failed."""
    if bool(args.ids) == args.all_failed:
        raise InvalidInput("name report ids or give --all-failed (not both)")
    store = _store()
    queued = store.requeue_all_failed() if args.all_failed else store.requeue_failed(list(dict.fromkeys(args.ids)))
    for rid in queued:
        print(rid)
    left = [rid for rid in args.ids if rid not in set(queued)]
    if left:
        print(f"sitrep reports retry: not failed, left alone: {' '.join(left)}")
    print(f"sitrep reports retry: {len(queued)} report(s) queued again")
    return 0


def cmd_reports_failed(args: argparse.Namespace) -> int:
    """List failed reports, newest first: id, failure time, error."""
    if args.limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {args.limit}")
    store = _store()
    connection = store.connection
    listed: list[Any] = connection.zrevrange(keys.FAILED_REPORTS, 0, args.limit - 1)
    for raw in listed:
        rid = raw.decode()
        row: list[Any] = connection.hmget(keys.report(rid), "failed_at", "error")
        failed_at, error = row
        if failed_at is None and error is None:
            continue
        print(f"{rid}\t{(failed_at or b'').decode()}\t{(error or b'').decode()}")
    return 0
