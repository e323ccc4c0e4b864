"""Write the JSON Schemas of the public models to schemas/json/ for non-Python clients.

`python -m schemas.export` rewrites them; a test fails when a model changes and they are stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.alerts import Alert
from schemas.events import CanonicalEvent, Event, ExtractionResult
from schemas.reports import ReportAck, ReportIn, ReportView
from schemas.situation import Situation

OUT = Path(__file__).parent / "json"
MODELS: dict[str, type[BaseModel]] = {
    "report": ReportIn,
    "report-ack": ReportAck,
    "report-view": ReportView,
    "event": Event,
    "canonical-event": CanonicalEvent,
    "extraction-result": ExtractionResult,
    "alert": Alert,
    "situation": Situation,
}


def rendered() -> dict[str, str]:
    """File name → schema text, as it should be on disk."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in MODELS.items()
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, text in rendered().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
