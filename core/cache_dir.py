"""Where sitrep keeps files it builds once per machine (gazetteer, word list, map outlines): one rule for all."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """`SITREP_CACHE_DIR`, else ~/.cache/sitrep; read at each call so a test can point it elsewhere."""
    configured = os.environ.get("SITREP_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "sitrep"
