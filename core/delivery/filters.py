"""Which alerts a reader wants: one filter shared by SSE, webhooks and `sitrep subscribe`.

Kept free of FastAPI and Redis so the CLI can import it cheaply. Within a field the values are
alternatives (any may match); across fields all must match. An empty field does not filter.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.alerts import AlertType
from schemas.events import CivilianCategory

TYPE_PREFIX = "sitrep.alert."
KINDS = frozenset(name.removeprefix(TYPE_PREFIX) for name in get_args(AlertType))
CATEGORIES = frozenset(category.value for category in CivilianCategory)
MAX_VALUES = 100
"""Values per field of a filter, at most (a filter is checked against every alert)."""


def normalise_kind(value: str) -> str:
    """`control_changed` and `sitrep.alert.control_changed` name the same kind; ValueError if neither."""
    kind = value.strip().removeprefix(TYPE_PREFIX)
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {value!r}; one of: {', '.join(sorted(KINDS))}")
    return kind


class AlertFilter(BaseModel):
    """Places (each includes the places inside it), alert kinds, civilian categories."""

    model_config = ConfigDict(extra="forbid")

    place: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Place ids, e.g. raqqa (includes raqqa/al-nahda)."
    )
    kind: list[str] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Alert kinds, e.g. control_changed, or full types."
    )
    category: list[str] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Civilian categories, e.g. trapped."
    )

    @field_validator("place", "kind", "category", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """A single string, a list, or comma-separated values all work (query strings, CLI, JSON)."""
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value

    @field_validator("place")
    @classmethod
    def _places(cls, value: list[str]) -> list[str]:
        return [place.strip("/").lower() for place in value]

    @field_validator("kind")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        return [normalise_kind(kind) for kind in value]

    @field_validator("category")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        for category in value:
            if category.lower() not in CATEGORIES:
                raise ValueError(f"unknown category {category!r}; one of: {', '.join(sorted(CATEGORIES))}")
        return [category.lower() for category in value]

    def is_empty(self) -> bool:
        return not (self.place or self.kind or self.category)

    def matches(self, alert: dict[str, Any]) -> bool:
        """True when the alert (CloudEvents JSON as a dict) passes every non-empty field."""
        if self.place:
            subject = str(alert.get("subject", "")).lower()
            if not any(subject == place or subject.startswith(place + "/") for place in self.place):
                return False
        if self.kind and str(alert.get("type", "")).removeprefix(TYPE_PREFIX) not in self.kind:
            return False
        if self.category:
            data = alert.get("data")
            category = data.get("category") if isinstance(data, dict) else None
            if category not in self.category:
                return False
        return True
