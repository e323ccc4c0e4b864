"""The package map of docs/ARCHITECTURE.md, enforced: every import of ours points down the layers.

Read with `ast` from the source tree (imports inside functions count too), so a lazy import cannot
hide an arrow that runs back up.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

OURS = ("core", "schemas", "services", "workers")


@dataclass(frozen=True)
class Layer:
    """Modules under `package` may import these packages of ours, except those in `never`."""

    package: str
    may_import: tuple[str, ...]
    never: tuple[str, ...] = ()

    def row(self) -> str:
        allowed = ", ".join(f"`{name}`" for name in self.may_import)
        if self.never:
            allowed += " (not " + ", ".join(f"`{name}`" for name in self.never) + ")"
        return f"| `{self.package}` | {allowed} |"


LAYERS = (
    Layer("services.cli", ("services", "workers", "core", "schemas")),
    Layer("services", ("services", "core", "schemas"), never=("services.cli",)),
    Layer("workers", ("workers", "core", "schemas")),
    Layer("core", ("core", "schemas")),
    Layer("schemas", ("schemas",)),
)
"""Most specific first: a module follows the first layer whose package it is in."""


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer_of(module: str) -> Layer:
    return next(layer for layer in LAYERS if _within(module, layer.package))


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every name of ours `source` imports (`from a import b` gives `a.b`), relative imports resolved."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found += [f"{target}.{alias.name}" for alias in node.names]
    return [name for name in found if name.split(".")[0] in OURS]


def breaks(module: str, target: str) -> bool:
    layer = layer_of(module)
    allowed = any(_within(target, package) for package in layer.may_import)
    return not allowed or any(_within(target, package) for package in layer.never)


def test_no_import_breaks_the_layering() -> None:
    found = []
    for package in OURS:
        for path in sorted((REPO / package).rglob("*.py")):
            module = module_name(path)
            for target in imports_of(module, path.read_text(), path.name == "__init__.py"):
                if breaks(module, target):
                    found.append(f"{path.relative_to(REPO)}: imports {target}")
    assert found == []


def test_the_rules_catch_an_upward_import() -> None:
    assert breaks("core.keys", "services.api.app")
    assert breaks("workers.jobs", "services.dispatcher")
    assert breaks("services.api.events", "workers.dedup.event_store")
    assert breaks("schemas.reports", "core.defaults")
    assert breaks("services.notifier.consumer", "services.cli.main")
    assert not breaks("services.cli.main", "workers.runner")
    assert imports_of("core.x", "def f():\n    from services.api import app\n") == ["services.api.app"]
    assert imports_of("services.api.events", "from .deps import RedisDep\n") == ["services.api.deps.RedisDep"]


def test_the_architecture_doc_shows_these_rules() -> None:
    doc = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    for layer in LAYERS:
        assert layer.row() in doc, f"docs/ARCHITECTURE.md lacks the row {layer.row()}"
