"""Redis scripts live in `.lua` files beside the code that runs them; each is read once per process."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def source(package: str, *names: str) -> str:
    """The named `.lua` files of `package`, joined in order (shared functions first, then the script)."""
    return "".join(resources.files(package).joinpath(name).read_text() for name in names)
