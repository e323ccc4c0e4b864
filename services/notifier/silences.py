"""Silences: mute a place (and the places inside it) or a rule, or both, until a wall-clock time.

Stored in the Redis hash `sitrep:silences` (id → JSON) so the API writes them and every notifier
reads them. A muted alert is recorded as notified but not sent, so it does not fire later when the
silence ends; the situation API always shows the present.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator


class SilenceIn(BaseModel):
    """POST /v1/silences: at least one of `place` and `rule`; `until` in the future."""

    place: str | None = Field(default=None, max_length=300, description="Place id; includes the places inside it.")
    rule: str | None = Field(default=None, max_length=100, description="Rule name.")
    until: datetime = Field(description="When the silence ends (with a time zone; UTC if none).")
    comment: str | None = Field(default=None, max_length=1000)

    @field_validator("place")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() or None if value is not None else None

    @field_validator("until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _something(self) -> SilenceIn:
        if not self.place and not self.rule:
            raise ValueError("a silence needs a place, a rule, or both")
        return self


class Silence(SilenceIn):
    id: str
    created_at: datetime

    @classmethod
    def create(cls, request: SilenceIn, now: datetime) -> Silence:
        return cls(id=f"s-{secrets.token_hex(6)}", created_at=now, **request.model_dump())

    def active(self, now: datetime) -> bool:
        return self.until > now

    def mutes(self, place_id: str, rule: str) -> bool:
        place_ok = self.place is None or place_id == self.place or place_id.startswith(self.place + "/")
        return place_ok and (self.rule is None or self.rule == rule)


def parse_all(raw: dict[Any, Any]) -> list[Silence]:
    """Silences from the hash; an unreadable entry is skipped rather than stopping alerts."""
    silences = []
    for value in raw.values():
        try:
            silences.append(Silence.model_validate_json(value))
        except ValueError:
            continue
    return silences


def muter(silences: Iterable[Silence], place_id: str, now: datetime) -> Callable[[str], bool]:
    """rule name → whether an active silence mutes that rule at this place."""
    active = [silence for silence in silences if silence.active(now)]
    return lambda rule: any(silence.mutes(place_id, rule) for silence in active)
