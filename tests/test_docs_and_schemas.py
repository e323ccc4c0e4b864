"""Docs and exported schemas that must stay true to the code."""

from __future__ import annotations

import inspect
import re

from core import keys
from core.settings import (
    CommonSettings,
    DeliverySettings,
    FeedSettings,
    IngestSettings,
    NotifierSettings,
    WorkerSettings,
)
from schemas import export
from tests.conftest import REPO


def test_exported_json_schemas_are_current() -> None:
    for name, text in export.rendered().items():
        path = export.OUT / name
        assert path.exists() and path.read_text() == text, f"{name} is stale: run python -m schemas.export"


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (REPO / "README.md").read_text()
    for cls in (CommonSettings, IngestSettings, WorkerSettings, NotifierSettings, DeliverySettings, FeedSettings):
        for name in cls.model_fields:
            env = "REDIS_URL" if name == "redis_url" else f"SITREP_{name.upper()}"
            assert f"| `{env}` |" in readme, f"{env} is missing from the README settings table"


def test_every_redis_key_is_in_the_architecture_doc() -> None:
    doc = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    names = [value for name, value in vars(keys).items() if name.isupper() and isinstance(value, str)]
    for function in (f for _, f in inspect.getmembers(keys, inspect.isfunction)):
        template = re.sub(r"\{[^}]*\}", "{x}", function("{x}"))
        names.append(template.split("{x}")[0])
    for name in names:
        if name in ("sitrep:", "notifier"):
            continue
        assert name in doc, f"{name!r} is not in docs/ARCHITECTURE.md"


def test_every_path_the_docs_name_exists() -> None:
    named = re.compile(r"`((?:core|schemas|services|workers|scripts|tests|deploy|docs)/[\w./-]*)`")
    missing = [
        f"{doc.relative_to(REPO)}: {path}"
        for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
        for path in named.findall(doc.read_text())
        if not (REPO / path).exists()
        and path not in ("deploy/compose.override.yaml", "deploy/.env")  # the user's own files
    ]
    assert missing == []
