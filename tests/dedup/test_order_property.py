"""Property: the order reports arrive in, and how they are cut into batches, does not change the merge."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import keys
from core.settings import WorkerSettings
from tests.dedup.corpus import overlapping_reports
from tests.dedup.helpers import ingest, snapshot
from workers.processing import process_batch

# Copies and their originals, tellings of the same happenings, conflicting figures, history.
PICK = ["o00", "c00", "c13", "o01", "o02", "o09", "o10", "c02", "o27", "o28", "o30", "o33", "o35", "c07"]
REPORTS = [item for item in overlapping_reports() if item["id"] in PICK]


def stories(r: redis.Redis, ids: list[str]) -> set[frozenset[str]]:
    """The near-duplicate groups, whatever report each group is named after."""
    groups: dict[bytes, set[str]] = {}
    for report_id in ids:
        groups.setdefault(r.hget(keys.report(report_id), "story") or b"", set()).add(report_id)
    return {frozenset(group) for group in groups.values()}


def run(r: redis.Redis, order: list[int], cuts: list[int]) -> tuple[dict[str, Any], set[frozenset[str]]]:
    r.flushall()
    ids = ingest(r, [REPORTS[i] for i in order])
    bounds = [0, *sorted(cuts), len(ids)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        if end > start:
            process_batch(r, ids[start:end], WorkerSettings())
    return snapshot(r), stories(r, ids)


@lru_cache(maxsize=1)
def reference(url: str) -> tuple[str, Any]:
    client = redis.Redis.from_url(url)
    state = run(client, list(range(len(REPORTS))), [])
    client.close()
    return url, state


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(range(len(REPORTS))),
    cuts=st.lists(st.integers(min_value=1, max_value=len(REPORTS) - 1), max_size=4, unique=True),
)
def test_order_of_arrival_and_batching_do_not_change_the_canonical_events(
    r: redis.Redis, redis_url: str, order: list[int], cuts: list[int]
) -> None:
    _, expected = reference(redis_url)
    events, groups = run(r, list(order), cuts)
    assert groups == expected[1]
    assert events == expected[0]


def test_the_reference_has_copies_corroboration_and_conflicts(r: redis.Redis, redis_url: str) -> None:
    """The property above is only worth something if the sample exercises every kind of merge."""
    _, (events, groups) = reference(redis_url)
    assert any(len(group) == 3 for group in groups)  # an original and two copies
    assert any(event["independent_sources"] >= 2 for event in events.values())
    assert any(event["mention_count"] > event["independent_sources"] for event in events.values())
    assert any(len(obs["values"]) > 1 for event in events.values() for obs in event["observations"])
    assert any(event["historical"] for event in events.values())
