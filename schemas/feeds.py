"""Feeds the poller follows: what an operator adds, and what sitrep shows about each."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

FEED_EVERY_MIN_SECONDS = 1
FEED_EVERY_MAX_SECONDS = 7 * 24 * 3600


class FeedIn(BaseModel):
    """What `POST /v1/feeds` and `sitrep feeds add` take."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: AnyHttpUrl = Field(max_length=2000, description="http(s) URL of an RSS or Atom feed.")
    every_seconds: int = Field(
        default=300, ge=FEED_EVERY_MIN_SECONDS, le=FEED_EVERY_MAX_SECONDS, description="Poll interval."
    )
    source: str | None = Field(
        default=None, min_length=1, max_length=200, description="The reports' source; default the feed's title."
    )

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.scheme not in ("http", "https") or not value.host:
            raise ValueError("url must be http:// or https:// with a host")
        return value


class Feed(BaseModel):
    """A feed and how its polling goes."""

    id: str = Field(description="Derived from the URL: adding the same URL twice is refused.")
    url: str
    every_seconds: int
    source: str | None = None
    created_at: datetime
    next_poll_at: datetime | None = Field(default=None, description="When a poller takes it next.")
    last_polled_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_status: int | None = Field(default=None, description="HTTP status of the last fetch (304: unchanged).")
    last_error: str | None = Field(default=None, description="Why the last poll failed; cleared by a good one.")
    consecutive_failures: int = 0
    items_posted: int = Field(default=0, description="Items posted as reports since the feed was added.")


class FeedPage(BaseModel):
    """One page of `GET /v1/feeds`, in id order."""

    feeds: list[Feed]
    next_after: str | None = Field(default=None, description="Pass as `after` for the next page; null at the end.")
