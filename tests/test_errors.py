"""sitrep's exceptions live in core/errors.py, under SitrepError; the CLI prints the user's ones in one line."""

from __future__ import annotations

import ast
import inspect

from core import errors
from services.cli.main import USER_ERRORS
from tests.conftest import REPO

SOURCES = ("core", "services", "workers", "schemas")


def _exception_classes_outside_errors_py() -> list[str]:
    found = []
    for folder in SOURCES:
        for path in (REPO / folder).rglob("*.py"):
            if path == REPO / "core" / "errors.py" or "extraction" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(base) for base in node.bases]
                    if any(base.endswith(("Error", "Exception")) for base in bases):
                        found.append(f"{path.relative_to(REPO)}: {node.name}")
    return found


def test_every_exception_class_is_in_errors_py() -> None:
    assert _exception_classes_outside_errors_py() == []


def test_every_error_derives_from_sitrep_error() -> None:
    classes = [cls for _, cls in inspect.getmembers(errors, inspect.isclass) if cls.__module__ == errors.__name__]
    assert len(classes) > 1
    assert all(issubclass(cls, errors.SitrepError) for cls in classes)


def test_the_cli_maps_only_sitrep_errors() -> None:
    assert USER_ERRORS and all(issubclass(kind, errors.SitrepError) for kind in USER_ERRORS)
