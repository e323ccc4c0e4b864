"""Merging into canonical events on a real Redis: copies, corroboration, quantities, history, retries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import redis

from core import keys
from core.event_reader import read_events
from core.settings import WorkerSettings
from schemas.events import CanonicalEvent
from tests.dedup.corpus import report
from tests.dedup.helpers import canonical_events, ingest, one, process, snapshot, stream_entries
from workers.dedup.event_store import EventStore
from workers.processing import prepare_report, process_batch

WIRE_TEXT = (
    "The Syrian Democratic Forces captured the town of Tabqa from the Islamic State group on Saturday, a "
    "spokesman said. Engineers at the dam said they feared for the spillway. Some families "
    "left the old town in the morning, while others stayed in their basements until the shooting stopped."
)
WIRE = report("wire-1", "Wire desk", "2017-10-15", WIRE_TEXT, 8)
SYNDICATED = report(
    "mirror-1", "Valley Herald", "2017-10-15", "TABQA (Wire desk) - " + WIRE_TEXT.rsplit(" while", 1)[0] + ".", 10
)
MONITOR = report(
    "monitor-1",
    "Levant Monitor",
    "2017-10-15",
    "Kurdish-led fighters took full control of Tabqa on Saturday, a Britain-based war monitor said.",
    11,
)


def test_a_syndicated_copy_is_linked_and_counts_once_and_an_independent_monitor_counts_twice(r: redis.Redis) -> None:
    process(r, [WIRE])
    first = one(r, "control_change", "tabqa")
    assert (first.mention_count, first.sources, first.independent_sources) == (1, ["Wire desk"], 1)

    process(r, [SYNDICATED])
    copied = one(r, "control_change", "tabqa")
    assert r.hget(keys.report("mirror-1"), "near_duplicate_of") == b"wire-1"
    assert r.hget(keys.report("mirror-1"), "story") == b"wire-1"
    assert copied.id == first.id
    assert copied.mention_count == 2 and copied.sources == ["Valley Herald", "Wire desk"]
    assert copied.independent_sources == 1
    assert copied.confidence == first.confidence

    process(r, [MONITOR])
    confirmed = one(r, "control_change", "tabqa")
    assert r.hget(keys.report("monitor-1"), "near_duplicate_of") is None
    assert confirmed.independent_sources == 2 and confirmed.mention_count == 3
    assert confirmed.confidence > copied.confidence
    assert {m.report_id for m in confirmed.mentions} == {"wire-1", "mirror-1", "monitor-1"}

    changes = [(e["report_id"], e["change"]) for e in stream_entries(r) if orjson.loads(e["event"])["id"] == first.id]
    assert changes == [("wire-1", "created"), ("mirror-1", "mention"), ("monitor-1", "corroborated")]


def test_stream_entries_carry_the_canonical_event_and_the_report_facts(r: redis.Redis) -> None:
    process(r, [WIRE])
    (entry,) = stream_entries(r)
    event = CanonicalEvent.model_validate_json(entry["event"])
    assert entry["report_id"] == "wire-1" and entry["source"] == "Wire desk" and entry["change"] == "created"
    assert entry["published_at"].startswith("2017-10-15T08:00:00")
    assert event.mention_count == 1 and event.mentions == []  # the stream carries no mention bodies
    (raw,) = read_events(r, [event.id], 3)
    stored = CanonicalEvent.model_validate_json(raw or b"")
    assert stored.mentions[0].evidence.text in WIRE_TEXT
    assert stored.model_dump(exclude={"mentions"}) == event.model_dump(exclude={"mentions"})


def test_processing_again_changes_nothing_even_when_the_status_was_lost(r: redis.Redis) -> None:
    ids = ingest(r, [WIRE, SYNDICATED, MONITOR])
    process_batch(r, ids, WorkerSettings())
    before, length = snapshot(r), r.xlen(keys.EVENTS_STREAM)
    again = process_batch(r, ids, WorkerSettings())  # an RQ retry: every report is done
    assert again.skipped == 3 and again.processed == 0
    for report_id in ids:  # worse: a crash lost the status, the merge itself must be idempotent
        r.hset(keys.report(report_id), "status", "processing")
    forced = process_batch(r, ids, WorkerSettings())
    assert forced.processed == 3
    assert all(change == "none" for outcome in forced.outcomes for _, _, change in outcome.changes)
    assert snapshot(r) == before and r.xlen(keys.EVENTS_STREAM) == length


def test_quantities_are_observations_by_day_with_conflicts_kept_as_a_range(r: redis.Redis) -> None:
    process(
        r,
        [
            report(
                "un", "UN desk", "2017-10-13", "An estimated 4,000 civilians remain trapped inside Raqqa, the UN said."
            ),
            report(
                "aid", "Aid desk", "2017-10-13", "Around 4,000 people are still trapped in Raqqa, an aid official said."
            ),
            report(
                "council",
                "Council radio",
                "2017-10-13",
                "Some 3,000 civilians remain trapped in Raqqa, a council said.",
            ),
            report("monday", "Aid desk", "2017-10-16", "Aid workers said about 8,000 civilians were trapped in Raqqa."),
        ],
    )
    trapped = one(r, "civilian_count", "raqqa")
    friday, monday = trapped.observations
    assert str(friday.date) == "2017-10-13" and (friday.min, friday.max) == (3000, 4000)
    assert [(v.min, v.sources) for v in friday.values] == [(3000, ["Council radio"]), (4000, ["Aid desk", "UN desk"])]
    assert str(monday.date) == "2017-10-16" and [(v.min, v.sources) for v in monday.values] == [(8000, ["Aid desk"])]
    assert trapped.count is not None and (trapped.count.min, trapped.count.max, trapped.count.exact) == (
        8000,
        8000,
        True,
    )
    assert str(trapped.time.date) == "2017-10-16"
    assert trapped.mention_count == 4 and trapped.independent_sources == 3


def test_a_historical_mention_joins_the_past_event_or_creates_it_as_historical(r: redis.Redis) -> None:
    later = report(
        "later",
        "Archive desk",
        "2017-10-14",
        "Islamic State militants seized Palmyra in 2015, destroying parts of its ruins.",
    )
    process(r, [later])
    alone = one(r, "control_change", "palmyra")
    assert alone.historical is True and str(alone.time.date) == "2015-01-01" and alone.time.precision == "year"

    r.flushall()
    then = report(
        "then", "Wire desk", "2015-05-21", "Islamic State militants seized Palmyra on Wednesday, residents said."
    )
    process(r, [then])
    process(r, [later])
    joined = one(r, "control_change", "palmyra")
    assert joined.historical is False and joined.mention_count == 2
    assert str(joined.time.date) == "2015-05-20" and joined.time.precision == "day"
    changes = [(e["report_id"], e["change"]) for e in stream_entries(r)]
    assert changes == [("then", "created"), ("later", "corroborated")]
    assert [m.historical for m in joined.mentions] == [False, True]


def test_a_report_shows_what_it_contributed(r: redis.Redis) -> None:
    process(r, [WIRE, SYNDICATED])
    record = {k.decode(): v.decode() for k, v in r.hgetall(keys.report("mirror-1")).items()}
    (event_id,) = orjson.loads(record["events"])
    contributions: list[dict[str, Any]] = orjson.loads(record["contributions"])
    assert contributions == [{"event_id": event_id, "mention_id": contributions[0]["mention_id"], "change": "mention"}]
    assert contributions[0]["mention_id"].startswith("mirror-1:control_change:")
    assert record["status"] == "done" and record["story"] == "wire-1"


def test_retention_sets_ttls_and_trims_the_indexes(r: redis.Redis) -> None:
    process(r, [WIRE], event_ttl_seconds=3600, near_duplicate_ttl_seconds=600)
    (event_id,) = canonical_events(r)
    for key in (keys.canonical_state(event_id), keys.canonical_mentions(event_id)):
        assert 0 < r.ttl(key) <= 3600
    (bands,) = r.scan_iter(match="sitrep:lsh:*")  # one hash per bucket of 600 s
    assert r.hlen(bands) == 16 and 0 < r.ttl(bands) <= 3 * 600
    r.zadd(keys.EVENTS_INDEX, {"ev-long-gone": 1.0})  # an id whose event expired long ago
    r.zadd(keys.EVENTS_BY_SEQUENCE, {"ev-long-gone": 0})
    process(r, [MONITOR], event_ttl_seconds=3600)
    assert r.zscore(keys.EVENTS_INDEX, "ev-long-gone") is None
    assert r.zscore(keys.EVENTS_BY_SEQUENCE, "ev-long-gone") is None  # leaves the paging order with it
    assert r.zscore(keys.EVENTS_INDEX, event_id) is not None
    assert r.zscore(keys.EVENTS_BY_SEQUENCE, event_id) == 1.0  # the first event stored


def test_a_merge_writes_only_the_indexes_something_reads(r: redis.Redis) -> None:
    """The global index (expiry) and the creation order (GET /v1/events); per-kind and per-place sorted sets
    had no reader left and cost the merge script about 8 % of its instructions."""
    process(r, [WIRE, MONITOR])
    (event_id,) = canonical_events(r)
    assert r.zscore(keys.EVENTS_INDEX, event_id) is not None and r.zscore(keys.EVENTS_BY_SEQUENCE, event_id) == 1.0
    sorted_sets = {key.decode() for key in r.scan_iter(match="sitrep:events:*") if r.type(key) == b"zset"}
    assert sorted_sets == {keys.EVENTS_INDEX, keys.EVENTS_BY_SEQUENCE}


def test_an_outlet_that_reprints_a_wire_story_and_writes_its_own_counts_as_a_second_source(r: redis.Redis) -> None:
    own = report(
        "herald-own",
        "Valley Herald",
        "2017-10-15",
        "Tabqa fell to the Syrian Democratic Forces on Saturday after weeks of fighting against Islamic State "
        "militants, residents told our correspondent.",
        12,
    )
    process(r, [SYNDICATED, WIRE])  # the copy arrives first: the story is still the wire's (earliest published)
    assert one(r, "control_change", "tabqa").independent_sources == 1
    process(r, [own])
    assert one(r, "control_change", "tabqa").independent_sources == 2


def test_two_stories_from_one_outlet_and_a_reprint_of_one_of_them_count_once(r: redis.Redis) -> None:
    second = report("wire-2", "Wire desk", "2017-10-15", MONITOR["text"], 9)
    process(r, [WIRE, second, SYNDICATED])
    event = one(r, "control_change", "tabqa")
    assert event.sources == ["Valley Herald", "Wire desk"] and event.mention_count == 3
    assert event.independent_sources == 1


def test_an_exact_resend_under_another_id_is_acknowledged_as_a_duplicate_and_adds_no_mention(r: redis.Redis) -> None:
    resend = {**WIRE, "id": "wire-1-again", "text": "  " + WIRE_TEXT + "\n"}
    ids = ingest(r, [WIRE, resend])
    assert r.hget(keys.report("wire-1-again"), "duplicate_of") == b"wire-1"
    result = process_batch(r, ids, WorkerSettings())
    assert result.processed == 1 and result.skipped == 1
    event = one(r, "control_change", "tabqa")
    assert event.mention_count == 1 and len(stream_entries(r)) == 1


def test_awkward_outlet_names_still_give_valid_json(r: redis.Redis) -> None:
    names = ['Al "Quote" News', "Back\\slash Radio", "Ünïcode Σ Times", "Tab\x1fSeparated"]
    process(
        r,
        [
            {**MONITOR, "id": f"m{i}", "source": name, "text": f"{MONITOR['text']} ({i})"}
            for i, name in enumerate(names)
        ],
    )
    event = one(r, "control_change", "tabqa")
    assert event.sources == sorted([*names[:3], "Tab Separated"])
    assert event.mention_count == 4
    entries = stream_entries(r)
    assert all(CanonicalEvent.model_validate_json(entry["event"]).id == event.id for entry in entries)


def test_a_long_running_quantity_shows_its_latest_month_of_observations(r: redis.Redis) -> None:
    days = [date(2017, 9, 1) + timedelta(days=k) for k in range(40)]
    process(
        r,
        [
            report(
                f"d{k}",
                "Aid desk",
                day.isoformat(),
                f"About {1000 + k * 100:,} civilians are trapped in Raqqa, aid workers said.",
            )
            for k, day in enumerate(days)
        ],
    )
    trapped = one(r, "civilian_count", "raqqa")
    assert trapped.mention_count == 40
    assert [str(o.date) for o in trapped.observations] == [d.isoformat() for d in days[-31:]]
    assert trapped.count is not None and trapped.count.min == 1000 + 39 * 100
    assert str(trapped.time.date) == days[-1].isoformat()


def test_a_report_is_found_as_an_original_for_at_least_the_window_and_forgotten_after_twice_it(
    r: redis.Redis,
) -> None:
    # Buckets follow Redis's clock; renaming a bucket's hash moves its reports back in time by a bucket.
    window = 10**9  # one bucket for decades: the test cannot straddle a boundary
    bucket = int(r.time()[0]) // window
    process(r, [WIRE], near_duplicate_ttl_seconds=window)
    r.rename(f"sitrep:lsh:{bucket}", f"sitrep:lsh:{bucket - 1}")  # the original is one bucket old
    process(r, [SYNDICATED], near_duplicate_ttl_seconds=window)
    assert r.hget(keys.report("mirror-1"), "near_duplicate_of") == b"wire-1"
    assert r.exists(f"sitrep:lsh:{bucket}")  # the bands the copy did not share are its own
    r.rename(f"sitrep:lsh:{bucket - 1}", f"sitrep:lsh:{bucket - 2}")  # now two buckets old
    r.delete(f"sitrep:lsh:{bucket}")
    late = report("mirror-2", "Plains Post", "2017-10-15", "TABQA (Wire desk) - " + WIRE_TEXT, 12)
    process(r, [late], near_duplicate_ttl_seconds=window)
    assert r.hget(keys.report("mirror-2"), "near_duplicate_of") is None
    assert r.hget(keys.report("mirror-2"), "story") == b"mirror-2"
    assert not r.exists(f"sitrep:lsh:{bucket - 2}")  # unlinked by the first write two buckets later
    assert r.hlen(f"sitrep:lsh:{bucket}") == 16 and r.ttl(f"sitrep:lsh:{bucket}") > 0


def test_the_bucket_follows_redis_clock_not_the_worker_clock(r: redis.Redis) -> None:
    (report_id,) = ingest(r, [WIRE])
    store = EventStore(r, WorkerSettings(near_duplicate_ttl_seconds=3600))
    ((_, _, payload),) = store.claim([report_id])
    skewed = datetime.now(UTC) + timedelta(days=3)  # a worker whose clock is far ahead
    store.merge([prepare_report(report_id, payload)], skewed)
    (bucket,) = r.scan_iter(match="sitrep:lsh:*")
    assert int(bucket.decode().rsplit(":", 1)[1]) in {int(r.time()[0]) // 3600, int(r.time()[0]) // 3600 - 1}
