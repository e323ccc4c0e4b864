"""Every Redis key name is built by core/keys.py: Lua scripts may spell a key only as keys.py does."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

from core import keys
from tests.conftest import REPO

SOURCES = ("core", "services", "workers")
_QUOTED = re.compile(r"""'(sitrep:[^']*)'|"(sitrep:[^"]*)\"""")
_APPENDED = re.compile(r"""\.\.\s*(?:'(:[^']*)'|"(:[^"]*)\")""")
"""A literal a script appends to a key it built: `skey .. ':mentions'`."""


def _key_functions() -> list[Callable[[str], str]]:
    return [f for _, f in inspect.getmembers(keys, inspect.isfunction) if f.__module__ == keys.__name__]


def _built_by_keys(literal: str) -> bool:
    """A constant of keys.py, a key function's fixed prefix, or a key function's prefix and one fixed part."""
    constants = {value for name, value in vars(keys).items() if name.isupper() and isinstance(value, str)}
    if literal in constants:
        return True
    for function in _key_functions():
        prefix = function("{x}").split("{x}")[0]
        rest = literal[len(prefix) :]
        if literal.startswith(prefix) and ":" not in rest and function(rest).startswith(literal):
            return True
    return False


def _literals(path: Path) -> list[str]:
    return [a or b for a, b in _QUOTED.findall(path.read_text())]


def test_every_key_in_a_lua_script_is_one_keys_py_builds() -> None:
    scripts = [path for folder in SOURCES for path in (REPO / folder).rglob("*.lua")]
    assert scripts, "no Lua scripts found"
    strays = [(str(path.relative_to(REPO)), literal) for path in scripts for literal in _literals(path)]
    assert [stray for stray in strays if not _built_by_keys(stray[1])] == []


def test_every_suffix_a_lua_script_appends_to_a_key_is_one_keys_py_builds() -> None:
    suffixes = {function("{x}").split("{x}")[1] for function in _key_functions()} - {""}
    scripts = [path for folder in SOURCES for path in (REPO / folder).rglob("*.lua")]
    appended = [
        (str(path.relative_to(REPO)), a or b) for path in scripts for a, b in _APPENDED.findall(path.read_text())
    ]
    assert appended, "no script appends to a key: the pattern no longer matches how they are built"
    assert [(path, suffix) for path, suffix in appended if suffix not in suffixes] == []


def test_python_names_keys_only_through_keys_py() -> None:
    modules = [
        path
        for folder in SOURCES
        for path in (REPO / folder).rglob("*.py")
        if path != REPO / "core" / "keys.py" and "extraction" not in path.parts
    ]
    found = [(str(path.relative_to(REPO)), literal) for path in modules for literal in _literals(path)]
    assert [(path, literal) for path, literal in found if re.match(r"sitrep:\S", literal)] == []


def test_the_check_knows_a_stray_key_from_a_built_one() -> None:
    assert _built_by_keys("sitrep:lsh:all") and _built_by_keys("sitrep:canon:") and _built_by_keys("sitrep:events")
    assert not _built_by_keys("sitrep:nonesuch:") and not _built_by_keys("sitrep:lsh:all:extra")
