"""Text event extractor: English report text in, structured `schemas.events.Event` objects out.

Entry point: `extract_events(text, published, report_id=None)`. Lexicons load once at import.
"""

from __future__ import annotations

from .extract import ExtractionBudgetExceeded, extract_events
from .lexicons import load

load()

__all__ = ["ExtractionBudgetExceeded", "extract_events"]
