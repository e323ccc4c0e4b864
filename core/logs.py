"""Logging of every sitrep process: one JSON object a line (or a readable line on a terminal), with the ids
of the request, job, report, delivery or alert being worked on bound to each line.

Ids are bound for a stretch of work with `bound(...)` (a context variable, so each asyncio task and
thread keeps its own), or given to one call with `extra={...}`. API keys and webhook secrets are
masked in every line, whatever logged them.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import IO, Any

import orjson

ID_FIELDS = ("request_id", "job_id", "report_id", "delivery_id", "alert_id", "place_id")
"""The ids a line may carry, from `bound` or from `extra`."""

OUR_LOGGERS = ("core", "services", "workers")
"""Top-level loggers of sitrep's own modules: SITREP_LOG_LEVEL sets theirs. Others (uvicorn, rq) log at INFO."""

_bound: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar("sitrep_log_ids", default=())

_SECRETS = re.compile(r"(sitrep_[0-9a-f]{12}_)[A-Za-z0-9_-]{8,}|(whsec_)[A-Za-z0-9+/=]{8,}|(fernet:)[A-Za-z0-9_=-]{8,}")
"""An API key's secret part, a webhook secret, a sealed secret: masked wherever they appear in a line."""


def redact(text: str) -> str:
    """The text with every API key secret and webhook secret replaced by `***`."""
    return _SECRETS.sub(lambda match: (match.group(1) or match.group(2) or match.group(3)) + "***", text)


class bound:  # noqa: N801  (used as a function: `with bound(report_id=...)`)
    """Bind ids to every line logged inside the block (None values are left out). A class, not a generator:
    a worker enters one per report."""

    __slots__ = ("_ids", "_token")

    def __init__(self, **ids: str | None) -> None:
        self._ids = ids

    def __enter__(self) -> None:
        self._token = _bound.set(_merged(self._ids))

    def __exit__(self, *_: object) -> None:
        _bound.reset(self._token)


def _merged(ids: dict[str, str | None]) -> tuple[tuple[str, str], ...]:
    current = _bound.get()
    if not current:
        return tuple((name, value) for name, value in ids.items() if value is not None)
    merged = dict(current)
    merged.update((name, value) for name, value in ids.items() if value is not None)
    return tuple(merged.items())


def bind(name: str, value: str) -> contextvars.Token[tuple[tuple[str, str], ...]]:
    """Bind one id until `unbind(token)`: for code that cannot wrap a block (the request middleware, once
    per request, hence the shortcut when nothing is bound yet)."""
    current = _bound.get()
    return _bound.set(((name, value),) if not current else _merged({name: value}))


def unbind(token: contextvars.Token[tuple[tuple[str, str], ...]]) -> None:
    _bound.reset(token)


def current_ids() -> dict[str, str]:
    return dict(_bound.get())


def _ids_of(record: logging.LogRecord) -> dict[str, str]:
    ids = dict(_bound.get())
    for name in ID_FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            ids[name] = str(value)
    return ids


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the bound ids, the process kind, an error's trace."""

    def __init__(self, process_kind: str | None = None) -> None:
        super().__init__()
        self.process_kind = process_kind

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if self.process_kind:
            line["process"] = self.process_kind
        line["pid"] = record.process
        line.update(_ids_of(record))
        if record.exc_info:
            line["error"] = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return orjson.dumps(line, default=str).decode()


class ReadableFormatter(logging.Formatter):
    """For a person at a terminal: `12:00:01.234 INFO services.api.app message [report_id=r-1]`."""

    def format(self, record: logging.LogRecord) -> str:
        clock = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        ids = " ".join(f"{name}={value}" for name, value in _ids_of(record).items())
        text = f"{clock} {record.levelname:<7} {record.name} {record.getMessage()}" + (f" [{ids}]" if ids else "")
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return redact(text)


def configure(level: str = "INFO", process_kind: str | None = None, stream: IO[str] | None = None) -> None:
    """Send every logger's lines to `stream` (stderr): JSON, or readable lines when it is a terminal.
    sitrep's own loggers log at `level` (SITREP_LOG_LEVEL); uvicorn's and RQ's at INFO, as before."""
    stream = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ReadableFormatter() if _is_terminal(stream) else JsonFormatter(process_kind))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    numeric = logging.getLevelName(level.upper())
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(numeric if isinstance(numeric, int) else logging.INFO)


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
