"""Helpers for notifier scenarios: events written to the real stream, a notifier on the test Redis."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
import redis
import yaml

from core import keys
from core.settings import NotifierSettings
from schemas.events import Event
from services.notifier.consumer import Notifier

_ids = itertools.count()

PLACES = {
    "raqqa/al-nahda": {"id": "raqqa/al-nahda", "name": "al-Nahda", "parent": "Raqqa", "country": "Syria"},
    "raqqa": {"id": "raqqa", "name": "Raqqa", "country": "Syria"},
    "palmyra": {"id": "palmyra", "name": "Palmyra", "country": "Syria"},
    "mosul": {"id": "mosul", "name": "Mosul", "country": "Iraq"},
}
ACTORS = {
    "sdf": {"id": "sdf", "name": "SDF"},
    "islamic-state": {"id": "islamic-state", "name": "Islamic State"},
    "syrian-government": {"id": "syrian-government", "name": "Syrian government forces"},
}


def event(
    kind: str,
    place: str,
    actor: str | None = None,
    previous: str | None = None,
    *,
    stance: str = "asserted",
    historical: bool = False,
    day: str | None = None,
    category: str | None = None,
    count: int | None = None,
    confidence: float = 0.7,
    event_id: str | None = None,
    organisation: str | None = None,
) -> Event:
    """An event as the extractor would give it, built from short names."""
    data: dict[str, Any] = {
        "id": event_id or f"e{next(_ids)}",
        "kind": kind,
        "place": PLACES[place],
        "stance": stance,
        "historical": historical,
        "confidence": confidence,
        "time": {"date": day} if day else {},
        "evidence": {"start": 0, "end": 1, "text": "x", "sentence": "x"},
    }
    if actor:
        data["actor"] = ACTORS[actor]
    if previous:
        data["previous_actor"] = ACTORS[previous]
    if category:
        data["category"] = category
        data["count"] = {"min": count, "max": count}
    if organisation:
        data["attribution"] = {"organisation": organisation}
    return Event.model_validate(data)


def push(
    r: redis.Redis,
    item: Event,
    published_at: str,
    source: str = "Wire desk",
    report_id: str | None = None,
    canonical: dict[str, Any] | None = None,
) -> str:
    """XADD one entry as the worker does; `canonical` adds the deduplicated fields (sources, ...)."""
    payload: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
    fields: dict[str, Any] = {
        "report_id": report_id or f"r-{item.id}",
        "source": source,
        "published_at": published_at,
    }
    if canonical is not None:
        payload.update({"mentions": [], **canonical})
        fields["change"] = canonical.get("change", "created")
    fields["event"] = orjson.dumps(payload)
    entry: Any = r.xadd(keys.EVENTS_STREAM, cast(Any, fields))
    return str(entry.decode())


def alerts(r: redis.Redis) -> list[dict[str, Any]]:
    entries: Any = r.xrange(keys.ALERTS_STREAM)
    return [orjson.loads(fields[b"alert"]) for _, fields in entries]


def kinds(r: redis.Redis) -> list[tuple[str, str]]:
    """(type without prefix, place) of every alert in the log, in order."""
    return [(alert["type"].removeprefix("sitrep.alert."), alert["subject"]) for alert in alerts(r)]


def rules_yaml(path: Path, group_wait: float = 0, repeat: float = 0, rules: list[dict[str, Any]] | None = None) -> Path:
    default = [
        {"name": "control", "kind": "control_changed"},
        {"name": "civilians", "kind": "civilian_threshold"},
    ]
    document = {"group_wait_seconds": group_wait, "repeat_interval_seconds": repeat, "rules": rules or default}
    path.write_text(yaml.safe_dump(document))
    return path


NotifierFactory = Callable[..., Notifier]


@pytest.fixture
def make_notifier(r: redis.Redis, redis_url: str, tmp_path: Path) -> Iterator[NotifierFactory]:
    """Notifier(group_wait=..., repeat=..., rules=[...], name=...) on the test Redis, rules from a YAML file."""
    made: list[Notifier] = []

    def factory(
        group_wait: float = 0, repeat: float = 0, rules: list[dict[str, Any]] | None = None, name: str = "n1"
    ) -> Notifier:
        path = rules_yaml(tmp_path / f"rules-{name}.yaml", group_wait, repeat, rules)
        settings = NotifierSettings(redis_url=redis_url, consumer_name=name, rules_file=str(path))
        notifier = Notifier(redis.Redis.from_url(redis_url), settings)
        notifier.ensure_group()
        notifier.connection.delete(keys.NOTIFIER_LEADER)  # the newest one leads; tests drive them in turn
        assert notifier.hold_lease()
        made.append(notifier)
        return notifier

    yield factory
    for notifier in made:
        notifier.connection.close()


def drain(notifier: Notifier) -> None:
    """Handle every entry in the stream (no blocking)."""
    while notifier.step(block_milliseconds=None):
        pass
