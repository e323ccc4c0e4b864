"""What the client subcommands share: opening their input and output, and explaining an API's error answer."""

from __future__ import annotations

import os
import sys
from typing import IO

import httpx

from core.errors import InvalidInput


def open_input(path: str) -> IO[str]:
    """The file at `path`, or standard input for `-`; a file that cannot be read is the user's mistake."""
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None


def open_output(path: str) -> IO[str]:
    """The file at `path` for writing, or standard output for `-`; a file that cannot be made is the user's mistake."""
    if path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot write {path}: {error.strerror}") from None


def explain(response: httpx.Response) -> str:
    """An API error answer in one line: its status and `detail` (each field's message for a 422)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text[:500]
    if isinstance(detail, list):
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg')}" for d in detail)
    return f"HTTP {response.status_code}: {detail}"


def auth_headers(key: str | None) -> dict[str, str]:
    """The header carrying `--key`, else SITREP_API_KEY; none when neither is set (an open API)."""
    key = key or os.environ.get("SITREP_API_KEY") or None
    return {"Authorization": f"Bearer {key.strip()}"} if key else {}
