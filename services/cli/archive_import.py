"""`sitrep import FILE`: an archive (JSON Lines, or CSV with a column mapping) stored as reports, resumably.

The rows go straight to the store (`ReportStore`, the script the API's batch route runs) on the Redis of
REDIS_URL, not through the HTTP API: the position that makes an import resumable lives in that same
Redis, an operator importing history needs no API key, and the importer paces itself on the pipeline's
backlog counter (`--max-backlog`) as the API's admission control would. Each row's report id is derived
from the file's content and the row's line (unless the row brings its own id), so a batch re-sent after
an interruption is recognised by the store and each row is posted once. The position (rows sent, in
sending order) is recorded after each batch in `sitrep:import:{identity}`, the identity being the
file's SHA-256 and how it is read (order, mapping, source, fetching); the same command again resumes there.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson
import pydantic
import redis

from core import defaults, keys
from core.errors import FetchFailed, InvalidInput, RedisUrlMissing
from core.redis_conn import sync_client
from core.settings import FeedSettings
from schemas.provenance import Provenance
from schemas.reports import REPORT_MAX_TEXT_CHARS, ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare

IMPORTER = "sitrep import"
FIELDS = ("id", "text", "source", "published_at", "title", "url", "language")
_SETTLED = frozenset({b"done", b"failed", b"duplicate"})
_TIME_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%Y%m%d", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y")


def parse_mapping(text: str | None) -> dict[str, str]:
    """`text=notes,published_at=event_date` → {report field: column}."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, separator, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not separator or not column:
            raise InvalidInput(f"--map {part!r}: write FIELD=COLUMN, e.g. text=notes")
        if field not in FIELDS:
            raise InvalidInput(f"--map {part!r}: {field!r} is not a report field ({', '.join(FIELDS)})")
        mapping[field] = column
    return mapping


def parse_time(value: object) -> datetime:
    """An archive's date: ISO 8601, `2017-10-14`, `14 October 2017`, GDELT's `20171014` or `20171014153000`,
    or Unix seconds. Naive times are UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value or "").strip()
    if not text:
        raise ValueError("no publication date")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"{text!r} is not a date this importer reads") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    """One row of the archive, its fields already mapped to report fields."""

    line: int
    fields: dict[str, Any]
    published: datetime | None
    problem: str | None = None


def _rows_jsonl(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield number, f"not JSON ({error})"
            continue
        yield number, value if isinstance(value, dict) else f"expected a JSON object, got {type(value).__name__}"


def _rows_csv(handle: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    # The csv module's own field cap (131,072 characters) is below a report's text cap: raised to it.
    # Past a field the reader refuses it cannot go on reliably, so the file is refused, naming the line.
    previous = csv.field_size_limit(max(csv.field_size_limit(), REPORT_MAX_TEXT_CHARS))
    reader = csv.DictReader(handle)
    done = 0  # the last line of the last record read: a failing record begins on the next
    try:
        if not reader.fieldnames:
            return
        done = reader.line_num
        for record in reader:
            yield reader.line_num, {name: value for name, value in record.items() if name is not None}
            done = reader.line_num
    except csv.Error as error:
        raise InvalidInput(f"line {done + 1}: not readable as CSV ({error})") from None
    finally:
        csv.field_size_limit(previous)


def read_rows(data: bytes, kind: str, mapping: dict[str, str], source: str | None) -> list[Row]:
    """Every row of the archive, mapped; a row that cannot be read is kept with its problem, to be reported."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"the file is not UTF-8 text ({error})") from None
    handle = io.StringIO(text, newline="")
    reader = _rows_csv(handle) if kind == "csv" else _rows_jsonl(handle)
    rows: list[Row] = []
    for line, raw in reader:
        if isinstance(raw, str):
            rows.append(Row(line, {}, None, raw))
            continue
        fields = {field: raw.get(mapping.get(field, field)) for field in FIELDS}
        fields = {field: value for field, value in fields.items() if value not in (None, "")}
        if source and "source" not in fields:
            fields["source"] = source
        try:
            published = parse_time(fields.get("published_at"))
        except (ValueError, OverflowError, OSError) as error:
            rows.append(Row(line, fields, None, f"published_at: {error}"))
            continue
        fields["published_at"] = published.isoformat()
        rows.append(Row(line, fields, published))
    return rows


class Progress:
    """A one-line progress bar on a terminal; silent elsewhere (a log, a pipe)."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.shown = stream.isatty()
        self.started = time.monotonic()

    def show(self, done: int, note: str = "") -> None:
        if not self.shown:
            return
        width = 30
        filled = int(width * min(done, self.total) / self.total)
        rate = done / max(time.monotonic() - self.started, 1e-3)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} rows, {rate:,.0f}/s {note}".ljust(100)[:120])
        self.stream.flush()

    def end(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Importer:
    """One run of `sitrep import` over one file."""

    def __init__(self, args: argparse.Namespace, settings: FeedSettings, connection: redis.Redis) -> None:
        self.args = args
        self.settings = settings
        self.connection = connection
        self.store = ReportStore.from_settings(settings, connection)
        self.fetcher: Any = None
        self.problems = 0
        self.progress: Progress | None = None

    def run(self) -> int:
        path = Path(self.args.file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
        kind = self.args.format or ("csv" if path.suffix.lower() in (".csv", ".tsv") else "jsonl")
        digest = hashlib.sha256(data).hexdigest()
        rows = read_rows(data, kind, parse_mapping(self.args.map), self.args.source)
        if self.args.replay:
            # Stable: rows published at the same moment keep the file's order.
            rows.sort(key=lambda row: (row.published or datetime.max.replace(tzinfo=UTC), row.line))
        # The same file read the same way resumes; another order or mapping is another import (same report ids).
        reading = [digest, kind, "replay" if self.args.replay else "file", self.args.map or "", self.args.source or ""]
        identity = hashlib.sha256("\n".join([*reading, str(self.args.fetch)]).encode()).hexdigest()[:32]
        position_key = keys.import_position(identity)
        start = 0 if self.args.restart else int(self.connection.hget(position_key, "position") or 0)
        if start >= len(rows) and rows:
            print(
                f"sitrep import: {path.name} was imported already ({len(rows)} rows); --restart sends it again",
                file=sys.stderr,
            )
            return 0
        if start:
            print(f"sitrep import: resuming {path.name} at row {start + 1} of {len(rows)}", file=sys.stderr)
        progress = self.progress = Progress(len(rows))
        progress.show(start)
        previous: list[str] = []
        sent = 0
        try:
            for begin in range(start, len(rows), self.args.batch):
                batch = rows[begin : begin + self.args.batch]
                reports = [report for row in batch if (report := self._report(row, digest, path.name)) is not None]
                if self.args.replay and not self.args.no_wait:
                    self._wait_processed(previous, progress, begin)
                self._pace(len(reports), progress, begin)
                outcomes = self.store.commit(reports)
                sent += sum(outcome.status != "duplicate" for outcome in outcomes)
                previous = [outcome.id for outcome in outcomes]
                end = begin + len(batch)
                with self.connection.pipeline(transaction=True) as pipe:
                    pipe.hset(
                        position_key,
                        mapping={
                            "position": end,
                            "total": len(rows),
                            "file": str(path.resolve()),
                            "updated": time.time(),
                        },
                    )
                    pipe.expire(position_key, defaults.IMPORT_POSITION_TTL_SECONDS)
                    pipe.execute()
                progress.show(end)
        finally:
            progress.end()
            if self.fetcher is not None:
                self.fetcher.close()
        print(
            f"sitrep import: {path.name}: {sent} report(s) stored, {len(rows) - start - sent - self.problems}"
            f" already there, {self.problems} row(s) skipped",
            file=sys.stderr,
        )
        if self.problems:
            raise InvalidInput(f"{self.problems} row(s) could not be imported (named above); the others were")
        return 0

    def _report(self, row: Row, digest: str, name: str) -> ReportToStore | None:
        problem = row.problem
        fields = dict(row.fields)
        fetched: str | None = None
        if problem is None and self.args.fetch and not fields.get("text") and fields.get("url"):
            fetched_text = self._fetch(str(fields["url"]))
            if isinstance(fetched_text, tuple):
                fields["text"], fetched = fetched_text
            else:
                problem = fetched_text
        if problem is None:
            fields.setdefault("id", "imp-" + hashlib.sha256(f"{digest}\n{row.line}".encode()).hexdigest()[:24])
            provenance = Provenance(via="import", importer=IMPORTER, file=name, line=row.line, fetched_url=fetched)
            try:
                report = ReportIn.model_validate(
                    {**fields, "provenance": provenance, "quiet_delivery": True if self.args.quiet_delivery else None}
                )
                return prepare(report)
            except pydantic.ValidationError as error:
                problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        self.problems += 1
        above_bar = "\n" if self.progress is not None and self.progress.shown else ""
        print(f"{above_bar}sitrep import: line {row.line}: skipped: {problem}", file=sys.stderr)
        return None

    def _fetch(self, url: str) -> tuple[str, str] | str:
        """(article text, URL) of a row's page, or why there is none."""
        from services.feeds.article import article_text
        from services.feeds.fetch import Fetcher

        if self.fetcher is None:
            self.fetcher = Fetcher(self.settings.feed_allow_private_addresses, self.settings.feed_user_agent)
        try:
            page = self.fetcher.get(url, self.settings.page_timeout_seconds, self.settings.page_max_bytes)
        except FetchFailed as error:
            return f"--fetch {url}: {error}"
        text = article_text(page.body, page.url)
        return (text, page.url) if text else f"--fetch {url}: no article text found on the page"

    def _pace(self, count: int, progress: Progress, done: int) -> None:
        """Wait while the pipeline's backlog would pass --max-backlog with this batch (0: never wait)."""
        limit = self.args.max_backlog
        if not limit:
            return
        while int(self.connection.get(keys.BACKLOG) or 0) + count > max(limit, count):
            progress.show(done, "(waiting for the workers)")
            time.sleep(0.2)

    def _wait_processed(self, report_ids: list[str], progress: Progress, done: int) -> None:
        """--replay: until the workers are done with the previous batch, so events come out in publication order."""
        while report_ids:
            with self.connection.pipeline(transaction=False) as pipe:
                for report_id in report_ids:
                    pipe.hget(keys.report(report_id), "status")
                statuses = pipe.execute()
            report_ids = [
                rid
                for rid, status in zip(report_ids, statuses, strict=True)
                if status not in _SETTLED and status is not None
            ]
            if report_ids:
                progress.show(done, "(waiting for the workers)")
                time.sleep(0.1)


def cmd_import(args: argparse.Namespace) -> int:
    settings = FeedSettings()
    if not settings.redis_url:
        raise RedisUrlMissing("REDIS_URL is not set: `sitrep import` stores reports in the pipeline's Redis")
    if args.batch < 1 or args.batch > 10_000:
        raise InvalidInput("--batch must be from 1 to 10000")
    if args.max_backlog is None:
        args.max_backlog = settings.admission_max_backlog
    if args.replay and args.batch > settings.job_max_reports:
        # A batch over one job's size becomes several jobs that two workers may run at once, out of order.
        args.batch = settings.job_max_reports
    connection = sync_client(settings.redis_url)
    try:
        return Importer(args, settings, connection).run()
    finally:
        connection.close()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "import", help="store an archive (JSON Lines or CSV) as reports, resumably (needs REDIS_URL)"
    )
    parser.add_argument("file", help="a .jsonl or .csv file")
    parser.add_argument("--format", choices=("jsonl", "csv"), default=None, help="default: by the file's extension")
    parser.add_argument(
        "--map",
        default=None,
        help="report field=column pairs, e.g. text=notes,published_at=event_date,source=source,url=SOURCEURL",
    )
    parser.add_argument("--source", default=None, help="the source of rows that name none")
    parser.add_argument("--fetch", action="store_true", help="rows with a URL and no text: fetch the page's article")
    parser.add_argument(
        "--replay", action="store_true", help="send in publication order, each batch once the last is processed"
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="with --replay: do not wait for the workers between batches"
    )
    parser.add_argument(
        "--quiet-delivery", action="store_true", help="record the alerts these reports cause, send no webhook for them"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=defaults.IMPORT_BATCH,
        help=f"rows per store call (default {defaults.IMPORT_BATCH}; with --replay at most SITREP_JOB_MAX_REPORTS)",
    )
    parser.add_argument(
        "--max-backlog",
        type=int,
        default=None,
        help="wait while more reports than this wait for the workers (default SITREP_ADMISSION_MAX_BACKLOG; 0: never)",
    )
    parser.add_argument(
        "--restart", action="store_true", help="start from the first row, not where the last run stopped"
    )
    parser.set_defaults(func=cmd_import)
