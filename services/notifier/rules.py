"""Alert rules: a YAML file (reloaded when it changes) or `PUT /v1/rules`, shared through Redis.

Every notifier reads the same rules from `sitrep:rules`, so two notifiers never disagree. The file
is copied into Redis when its content differs from the last file copied and it was modified after
the last `PUT /v1/rules`: the newer edit wins, and a restart never overwrites an API edit.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import redis
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import defaults, keys
from schemas.events import CivilianCategory
from services.notifier.thresholds import DEFAULT_LEVELS

log = logging.getLogger(__name__)

DEFAULT_RULES_FILE = Path(__file__).with_name("default_rules.yaml")
_CATEGORIES = {category.value for category in CivilianCategory}


PlaceName = Annotated[str, Field(max_length=300)]
MAX_COUNT = 10**12
"""Counts in rules stop here: far above any real one, and within the 64-bit integers JSON and Redis keep."""
Levels = Annotated[list[Annotated[int, Field(le=MAX_COUNT)]], Field(max_length=100)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    enabled: bool = True
    places: list[PlaceName] = Field(
        default_factory=list, max_length=1000, description="Place ids; a place includes the places inside it."
    )
    regions: list[PlaceName] = Field(
        default_factory=list, max_length=1000, description="Countries or parent place ids."
    )

    @field_validator("places", "regions")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [value.strip().lower() for value in values if value.strip()]

    def matches(self, place_id: str, country: str | None) -> bool:
        """Any place when no filter is given; else one of `places` (or inside it) or a region."""
        if not self.places and not self.regions:
            return True
        inside = [*self.places, *self.regions]
        if any(place_id == item or place_id.startswith(item + "/") for item in inside):
            return True
        return country is not None and country.lower() in self.regions


class ControlRule(_Rule):
    """Control of a place changed, on enough evidence."""

    kind: Literal["control_changed"]
    min_sources: int = Field(default=1, ge=1, le=10_000, description="Minimum independent sources.")
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class BaselineRule(_Rule):
    """Control learnt without a change ("IS-held Raqqa"): a baseline, off by default."""

    kind: Literal["control_baseline"]
    min_sources: int = Field(default=1, ge=1, le=10_000)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


Window = Literal["24h", "7d", "all"]


class _CountRule(_Rule):
    categories: list[CivilianCategory] = Field(default_factory=list, description="Empty: every category.")
    window: Window = Field(default="all", description="Flows: which total to watch.")

    def watches(self, category: str) -> bool:
        return not self.categories or category in {item.value for item in self.categories}


class ThresholdRule(_CountRule):
    """A civilian count crossed a level, up or down."""

    kind: Literal["civilian_threshold"]
    levels: dict[str, Levels] = Field(
        default_factory=dict, max_length=50, description="Category → levels (override defaults)."
    )
    place_levels: dict[PlaceName, Annotated[dict[str, Levels], Field(max_length=50)]] = Field(
        default_factory=dict, max_length=1000, description="Place id → category → levels."
    )

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        return _valid_levels(value)

    @field_validator("place_levels")
    @classmethod
    def _check_place_levels(cls, value: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, list[int]]]:
        return {place.lower(): _valid_levels(levels) for place, levels in value.items()}

    def levels_for(self, place_id: str, category: str) -> tuple[int, ...]:
        """Most specific first: this place, then a parent place, then the rule, then the defaults."""
        parts = place_id.split("/")
        for depth in range(len(parts), 0, -1):
            levels = self.place_levels.get("/".join(parts[:depth]), {}).get(category)
            if levels:
                return tuple(levels)
        return tuple(self.levels.get(category) or DEFAULT_LEVELS.get(category, ()))


def _valid_levels(value: dict[str, list[int]]) -> dict[str, list[int]]:
    for category, levels in value.items():
        if category not in _CATEGORIES:
            raise ValueError(f"unknown category {category!r}; one of {sorted(_CATEGORIES)}")
        if not levels or any(level < 1 for level in levels) or sorted(set(levels)) != levels:
            raise ValueError(f"levels for {category!r} must be positive and strictly increasing")
    return value


class PercentRule(_CountRule):
    """A civilian count changed by at least `percent` from the value last notified."""

    kind: Literal["civilian_change"]
    percent: float = Field(gt=0, le=10_000)
    min_count: int = Field(
        default=100, ge=0, le=MAX_COUNT, description="Ignore changes where both values are below this."
    )


Rule = Annotated[ControlRule | BaselineRule | ThresholdRule | PercentRule, Field(discriminator="kind")]


class RuleSet(BaseModel):
    """The whole rules document: timers and the list of rules."""

    model_config = ConfigDict(extra="forbid")

    group_wait_seconds: float = Field(default=defaults.GROUP_WAIT_SECONDS, ge=0, le=3600)
    repeat_interval_seconds: float = Field(default=defaults.REPEAT_INTERVAL_SECONDS, ge=0, le=30 * 24 * 3600)
    rules: list[Rule] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSet:
        names = [rule.name for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique: {duplicates}")
        return self

    def active(self) -> list[ControlRule | BaselineRule | ThresholdRule | PercentRule]:
        return [rule for rule in self.rules if rule.enabled]


def parse_yaml(text: str) -> RuleSet:
    """Rules from YAML text; raises ValueError (pydantic's ValidationError is one) when they are bad."""
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the rules file must be a mapping with a `rules` list")
    return RuleSet.model_validate(data)


def default_rules() -> RuleSet:
    return parse_yaml(DEFAULT_RULES_FILE.read_text())


def load_from_redis(connection: redis.Redis) -> RuleSet | None:
    raw: Any = connection.get(keys.RULES)
    if raw is None:
        return None
    return RuleSet.model_validate_json(raw)


def stored_form(rules: RuleSet, now: float) -> dict[str, bytes]:
    """What an API edit writes: the rules, and that they came from the API at `now` (for file-vs-API order)."""
    return {keys.RULES: orjson.dumps(rules.model_dump(mode="json")), keys.RULES_ORIGIN: f"api:{now}".encode()}


class RulesSource:
    """The notifier's view of the rules: the Redis copy, refreshed from the file when the file changes."""

    def __init__(self, connection: redis.Redis, path: Path | None) -> None:
        self.connection = connection
        self.path = path or DEFAULT_RULES_FILE
        self._mtime: float | None = None
        self.rules = default_rules()

    def refresh(self) -> RuleSet:
        """Copy a changed file into Redis, then read Redis. A bad file is logged and ignored."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError as error:
            if self._mtime != -1.0:  # say it once, not every second
                log.warning("rules file %s unreadable, using the rules in Redis: %s", self.path, error)
            self._mtime = -1.0
        else:
            if mtime != self._mtime:
                self._mtime = mtime
                self._sync_file(mtime)
        try:
            current = load_from_redis(self.connection)
        except ValueError as error:
            log.error("rules in Redis are invalid, keeping the previous ones: %s", error)
            current = None
        if current is not None:
            self.rules = current
        return self.rules

    def _sync_file(self, mtime: float) -> None:
        try:
            text = self.path.read_text()
        except (OSError, UnicodeDecodeError) as error:
            log.error("rules file %s unreadable, keeping the current rules: %s", self.path, error)
            return
        origin = f"file:{hashlib.sha256(text.encode()).hexdigest()}"
        stored: Any = self.connection.get(keys.RULES_ORIGIN)
        stored_text = stored.decode() if stored else ""
        if stored_text == origin:
            return  # this version of the file is in Redis already
        if stored_text.startswith("api:") and float(stored_text[4:]) >= mtime:
            return  # rules were PUT after the file was last edited: the API edit is newer
        try:
            rules = parse_yaml(text)
        except (ValueError, yaml.YAMLError) as error:
            log.error("rules file %s is invalid, keeping the current rules: %s", self.path, error)
            return
        pipe = self.connection.pipeline()
        pipe.set(keys.RULES, orjson.dumps(rules.model_dump(mode="json")))
        pipe.set(keys.RULES_ORIGIN, origin)
        pipe.execute()
        log.info("rules loaded from %s", self.path)
