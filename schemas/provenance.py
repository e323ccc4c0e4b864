"""Where a report came from: the feed and item, the page fetched for its text, or the archive and line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Provenance(BaseModel):
    """How a report reached sitrep; kept with the report and copied into each mention of its events."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    via: Literal["feed", "import", "api"] = Field(
        description="`feed`: the feed poller; `import`: `sitrep import`; `api`: sent through the API (only an admin key may send another `via`)."
    )
    feed_url: str | None = Field(default=None, max_length=4000, description="The feed the item was read from.")
    item_guid: str | None = Field(default=None, max_length=4000, description="The item's GUID (RSS) or id (Atom).")
    fetched_url: str | None = Field(
        default=None, max_length=4000, description="The page whose article text became the report's text."
    )
    importer: str | None = Field(default=None, max_length=200, description="The program that read the archive.")
    file: str | None = Field(default=None, max_length=4000, description="The archive's file name.")
    line: int | None = Field(default=None, ge=1, description="The line of the row in it (a CSV header is line 1).")
