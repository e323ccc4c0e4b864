"""The feed poller against feeds served on 127.0.0.1: new items posted once, conditional GETs, a failing,
a malformed and a slow feed, a summary-only item whose page gives the article; two pollers at once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis

from core import keys
from core.settings import FeedSettings
from schemas.feeds import FeedIn
from services.feeds import registry
from services.feeds.poller import Poller, backoff_seconds, public_url
from tests.feeds.server import ARTICLE, Answer, Entry, FeedServer, atom, rss, with_etag, with_last_modified
from tests.helpers import wait_until


def settings(redis_url: str, **overrides: Any) -> FeedSettings:
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "feed_allow_private_addresses": True,  # the feeds are on 127.0.0.1
        "feed_backoff_first_seconds": 0.2,
        "feed_backoff_max_seconds": 5.0,
        "feed_jitter": 0.1,
        "feed_timeout_seconds": 5.0,
        "page_timeout_seconds": 3.0,
        "feed_concurrency": 4,
        **overrides,
    }
    return FeedSettings(**values)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer().start()
    yield running
    running.stop()


def start_pollers(redis_url: str, count: int, **overrides: Any) -> tuple[list[Poller], list[threading.Thread]]:
    pollers = [Poller(redis.Redis.from_url(redis_url), settings(redis_url, **overrides), f"p{n}") for n in range(count)]
    threads = [threading.Thread(target=poller.run, daemon=True) for poller in pollers]
    for thread in threads:
        thread.start()
    return pollers, threads


def stop_pollers(pollers: list[Poller], threads: list[threading.Thread]) -> None:
    for poller in pollers:
        poller.stop.set()
    for thread in threads:
        thread.join(timeout=15)
        assert not thread.is_alive()


def job_report_ids(r: redis.Redis) -> list[str]:
    """Every report id handed to a job (no worker runs here, so the lists stay): each new report once."""
    found: list[str] = []
    for key in r.scan_iter(match=keys.job_reports("*")):
        found += [value.decode() for value in r.lrange(key, 0, -1)]
    return found


def stored_report(r: redis.Redis, report_id: str) -> dict[str, Any]:
    payload: Any = r.hget(keys.report(report_id), "report")
    assert payload is not None, report_id
    parsed: dict[str, Any] = orjson.loads(payload)
    return parsed


def reports_of(r: redis.Redis, feed_url: str) -> list[dict[str, Any]]:
    found = [stored_report(r, rid) for rid in job_report_ids(r)]
    return [report for report in found if report["provenance"]["feed_url"] == feed_url]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def test_feeds_flow_once_each_through_304s_failures_and_a_slow_feed(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    now = time.time()
    wire = [
        Entry(
            "wire-1",
            "Shelling near the river",
            now - 7200,
            "Artillery fire hit two villages near the river on "
            "Monday night, residents told the desk, and dozens of families left for the hills.",
        ),
        Entry(
            "wire-2",
            "Aid convoy waits",
            now - 3600,
            "A convoy of twelve aid lorries waited for a second day at the "
            "checkpoint outside the district town, drivers said on Tuesday.",
        ),
    ]
    valley = [
        Entry(
            "urn:valley:1",
            "Market reopens",
            now - 5000,
            "short",
            content="<p>The central market of the valley "
            "town reopened on Wednesday after three weeks, traders said, though prices of bread had doubled.</p>",
        ),
        Entry(
            "urn:valley:2",
            "Power cut",
            now - 4000,
            "short",
            content="<p>Most of the valley was without power for a "
            "second night after a line was cut by fighting near the dam, engineers said.</p>",
        ),
    ]
    valley_changed = [now - 100.0]
    flaky_plan = [
        Answer(500, b"down for maintenance"),
        Answer(500, b"still down"),
        Answer(503, b"busy", {"Retry-After": "1"}),
    ]
    flaky_ok = rss(
        [
            Entry(
                "flaky-1",
                "Curfew lifted",
                now - 600,
                "The night curfew in the port city was lifted on "
                "Friday, the governor's office announced in a statement.",
            )
        ],
        "Port desk",
    )
    server.routes["/wire.rss"] = with_etag(lambda: rss(wire))
    server.routes["/valley.atom"] = with_last_modified(lambda: atom(valley), lambda: valley_changed[0])
    server.routes["/flaky.rss"] = lambda headers: flaky_plan.pop(0) if flaky_plan else Answer(200, flaky_ok)
    server.routes["/broken.rss"] = lambda headers: Answer(200, b"<html><body><p>Sorry, this page moved", {})
    slow_body = rss(
        [
            Entry(
                "slow-1",
                "Bridge repaired",
                now - 900,
                "Engineers repaired the bridge over the canal on "
                "Saturday, reopening the road between the two districts, the ministry said.",
            )
        ],
        "Slow desk",
    )
    server.routes["/slow.rss"] = lambda headers: Answer(200, slow_body, delay=2.5)
    server.routes["/article/3.html"] = lambda headers: Answer(200, ARTICLE.encode(), {"Content-Type": "text/html"})

    feeds = {
        path: registry.add(r, FeedIn(url=server.url(path), every_seconds=1)).id  # type: ignore[arg-type]
        for path in ("/wire.rss", "/valley.atom", "/flaky.rss", "/broken.rss", "/slow.rss")
    }

    def posted(path: str) -> int:
        feed = registry.get(r, feeds[path])
        return feed.items_posted if feed else -1

    pollers, threads = start_pollers(redis_url, 2)
    try:
        wait_until(lambda: posted("/wire.rss") == 2 and posted("/valley.atom") == 2, 20, "the first items")
        wait_until(lambda: 304 in server.statuses("/wire.rss") and 304 in server.statuses("/valley.atom"), 20, "304s")
        wire.append(
            Entry(
                "wire-3",
                "Crossing reopens",
                time.time() - 60,
                "The crossing reopened.",
                link=server.url("/article/3.html"),
            )
        )
        valley.append(
            Entry(
                "urn:valley:3",
                "School shelter",
                time.time() - 30,
                "short",
                content="<p>About 200 displaced people slept in the valley's secondary school, a teacher said.</p>",
            )
        )
        valley_changed[0] += 10
        wait_until(lambda: posted("/wire.rss") == 3 and posted("/valley.atom") == 3, 20, "the added items")
        wait_until(lambda: posted("/flaky.rss") == 1 and posted("/slow.rss") == 1, 20, "the flaky and slow feeds")
        seen_304 = server.statuses("/wire.rss").count(304)
        wait_until(lambda: server.statuses("/wire.rss").count(304) >= seen_304 + 2, 20, "more polls of the wire")
    finally:
        stop_pollers(pollers, threads)

    # Each item became one report: each id handed to a job once, and nothing else was.
    ids = job_report_ids(r)
    assert Counter(ids).most_common(1)[0][1] == 1
    assert len(ids) == 3 + 3 + 1 + 1
    assert sum(posted(path) for path in feeds) == len(ids)

    # The summary-only item carries its page's article, and says where it came from.
    (crossing,) = [rep for rep in reports_of(r, server.url("/wire.rss")) if rep["provenance"]["item_guid"] == "wire-3"]
    assert "first lorries carrying flour and medicine" in crossing["text"]
    assert "All rights reserved" not in crossing["text"] and "Home | World" not in crossing["text"]
    assert crossing["provenance"] == {
        "via": "feed",
        "feed_url": server.url("/wire.rss"),
        "item_guid": "wire-3",
        "fetched_url": server.url("/article/3.html"),
    }
    assert crossing["source"] == "Border desk wire" and crossing["url"] == server.url("/article/3.html")
    valley_texts = {rep["provenance"]["item_guid"]: rep["text"] for rep in reports_of(r, server.url("/valley.atom"))}
    assert valley_texts["urn:valley:3"].startswith("About 200 displaced people")  # full content: no page fetched
    assert "fetched_url" not in reports_of(r, server.url("/valley.atom"))[0]["provenance"]

    # Conditional GETs: unchanged feeds cost a 304 and posted nothing more.
    assert server.statuses("/wire.rss").count(304) >= 3 and server.statuses("/valley.atom").count(304) >= 1

    # The failing feed was retried with a doubling backoff, then after its Retry-After, then flowed.
    assert server.statuses("/flaky.rss")[:4] == [500, 500, 503, 200]
    first, second, after_retry_after = gaps(server.times("/flaky.rss"))[:3]
    assert second > first * 1.3
    assert after_retry_after >= 1.0
    flaky = registry.get(r, feeds["/flaky.rss"])
    assert flaky is not None and flaky.consecutive_failures == 0 and flaky.last_error is None

    # The malformed feed is reported on the feed, retried later and later, and posts nothing.
    broken = registry.get(r, feeds["/broken.rss"])
    assert broken is not None and broken.items_posted == 0
    assert broken.consecutive_failures >= 3 and "not an RSS or Atom feed" in (broken.last_error or "")
    broken_gaps = gaps(server.times("/broken.rss"))
    assert broken_gaps[1] > broken_gaps[0] and broken_gaps[2] > broken_gaps[1]

    # The slow feed held one slot: the wire was polled while it answered, and one poller at a time polled it.
    slow_started = server.times("/slow.rss")[0]
    during = [t for t in server.times("/wire.rss") if slow_started < t < slow_started + 2.4]
    assert len(during) >= 2
    assert server.most_in_flight["/slow.rss"] == 1
    assert all(server.most_in_flight[path] == 1 for path in feeds)


def test_a_removed_feed_is_not_polled_again_nor_written_back(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    body = rss([Entry("one", "Quiet day", time.time() - 60, "Nothing of note happened in the district on Sunday.")])
    server.routes["/one.rss"] = lambda headers: Answer(200, body, delay=0.5)
    feed = registry.add(r, FeedIn(url=server.url("/one.rss"), every_seconds=1))  # type: ignore[arg-type]
    pollers, threads = start_pollers(redis_url, 1)
    try:
        wait_until(lambda: len(server.times("/one.rss")) == 1, 20, "the first request")
        assert registry.remove(r, feed.id)  # while the poll is in flight
        time.sleep(1.5)  # a second poll would be due by now if the feed had been kept
    finally:
        stop_pollers(pollers, threads)
    assert len(server.times("/one.rss")) == 1
    assert not r.exists(keys.feed(feed.id)) and not r.exists(keys.feed_seen(feed.id))
    assert r.zscore(keys.FEEDS_DUE, feed.id) is None


def test_a_feed_polled_by_one_poller_is_not_taken_by_another_that_read_the_due_list_before(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    server.routes["/busy.rss"] = lambda headers: Answer(503, b"busy", {"Retry-After": "3"})
    feed = registry.add(r, FeedIn(url=server.url("/busy.rss"), every_seconds=1))  # type: ignore[arg-type]
    early, late = (Poller(redis.Redis.from_url(redis_url), settings(redis_url), name) for name in ("early", "late"))
    try:
        due: Any = r.zscore(keys.FEEDS_DUE, feed.id)
        read_at = max(int(due), late._now_ms())  # the late poller has read the due list: the feed was due then
        token = early.take(feed.id, read_at)
        assert token is not None and late.take(feed.id, read_at) is None  # leased: no second poll meanwhile
        polled_at = early._now_ms()
        outcome = early.poll(feed.id, token)  # a 503, its lease released, next due past the Retry-After
        assert outcome.status == 503
        assert late.take(feed.id, read_at) is None  # no longer due at the time the late poller read
        assert late.take(feed.id, late._now_ms()) is None  # nor now
        later: Any = r.zscore(keys.FEEDS_DUE, feed.id)
        assert later >= polled_at + 3_000
    finally:
        early.close()
        late.close()
    assert server.statuses("/busy.rss") == [503]


def test_a_loopback_feed_is_refused_without_the_allow_setting(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    server.routes["/local.rss"] = lambda headers: Answer(200, rss([]))
    feed = registry.add(r, FeedIn(url=server.url("/local.rss"), every_seconds=60))  # type: ignore[arg-type]
    r.zadd(keys.FEEDS_DUE, {feed.id: 0})  # due now (a new feed is first due within a few seconds)
    poller = Poller(r, settings(redis_url, feed_allow_private_addresses=False), "guarded")
    poller.drain()
    found = registry.get(r, feed.id)
    assert found is not None and found.consecutive_failures == 1
    assert "127.0.0.1 is not a public address" in (found.last_error or "")
    assert "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES" in (found.last_error or "")
    assert server.times("/local.rss") == []


def test_backoff_doubles_to_its_cap_and_honours_a_longer_retry_after() -> None:
    assert [backoff_seconds(n, 30, 600) for n in (1, 2, 3, 6, 9)] == [30, 60, 120, 600, 600]
    assert backoff_seconds(1, 30, 600, retry_after=90) == 90
    assert backoff_seconds(3, 30, 600, retry_after=10) == 120
    assert backoff_seconds(1, 30, 600, retry_after=10_000) == 600


def test_items_whose_reports_could_not_be_stored_are_posted_by_the_next_poll(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    body = rss([Entry("kept", "Checkpoint", time.time() - 60, "The checkpoint north of the city was closed again.")])
    server.routes["/kept.rss"] = lambda headers: Answer(200, body)
    feed = registry.add(r, FeedIn(url=server.url("/kept.rss"), every_seconds=60))  # type: ignore[arg-type]
    poller = Poller(r, settings(redis_url), "faulty")

    def refuse(reports: Any) -> Any:
        raise redis.ConnectionError("Redis went away while storing")

    poller.store.commit = refuse  # type: ignore[method-assign]
    r.zadd(keys.FEEDS_DUE, {feed.id: 0})
    poller.drain()
    failed = registry.get(r, feed.id)
    assert failed is not None and failed.consecutive_failures == 1 and "went away" in (failed.last_error or "")
    assert r.zcard(keys.feed_seen(feed.id)) == 0  # nothing remembered: the item was not posted

    poller = Poller(r, settings(redis_url), "healthy")
    r.zadd(keys.FEEDS_DUE, {feed.id: 0})
    poller.drain()
    healed = registry.get(r, feed.id)
    assert healed is not None and healed.items_posted == 1 and healed.consecutive_failures == 0
    assert len(job_report_ids(r)) == 1


def test_a_live_blog_and_boilerplate_summaries_post_each_entry(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    now = time.time()
    page = server.url("/live/siege")  # no such page: each update keeps its own summary
    live = [
        Entry("live-1", "Update one", now - 300, "Sirens sounded over the eastern districts at dawn.", link=page),
        Entry("live-2", "Update two", now - 200, "The water station in the east was hit, officials said.", link=page),
    ]
    boiler = "Read the full story on our website."
    plain = [  # no GUIDs (the server always writes one, so this feed is written by hand)
        ("Road closed", server.url("/a.html")),
        ("Port reopens", server.url("/b.html")),
        ("Road closed", server.url("/a.html")),  # the same item twice: posted once
    ]
    for path, story in (("/a.html", "The coast road was closed"), ("/b.html", "The fishing port reopened")):
        article = f"<html><body><article><p>{story} on Sunday after a night of shelling, the council said.</p>"
        server.routes[path] = lambda headers, body=article: Answer(200, body.encode(), {"Content-Type": "text/html"})
    plain_body = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Plain desk</title>"
        + "".join(
            f"<item><title>{title}</title><link>{link}</link><description>{boiler}</description></item>"
            for title, link in plain
        )
        + "</channel></rss>"
    ).encode()
    server.routes["/live.rss"] = lambda headers: Answer(200, rss(live))
    server.routes["/plain.rss"] = lambda headers: Answer(200, plain_body)
    feeds = [
        registry.add(r, FeedIn(url=server.url(path), every_seconds=60))  # type: ignore[arg-type]
        for path in ("/live.rss", "/plain.rss")
    ]

    def poll() -> None:
        r.zadd(keys.FEEDS_DUE, {feed.id: 0 for feed in feeds})
        Poller(r, settings(redis_url), "solo").drain()

    poll()
    live.append(Entry("live-3", "Update three", now - 100, "Repair crews reached the water station.", link=page))
    poll()
    assert sorted(rep["provenance"]["item_guid"] for rep in reports_of(r, server.url("/live.rss"))) == [
        "live-1",
        "live-2",
        "live-3",
    ]
    assert sorted(rep["title"] for rep in reports_of(r, server.url("/plain.rss"))) == ["Port reopens", "Road closed"]


def test_credentials_in_a_feed_url_are_kept_out_of_the_reports(
    r: redis.Redis, redis_url: str, server: FeedServer
) -> None:
    body = rss([Entry("members-1", "Checkpoint", time.time() - 60, "The southern checkpoint opened at dawn.")])
    server.routes["/members.rss?token=s3cret&lang=en&api_key=k3y"] = lambda headers: Answer(200, body)
    secret_url = f"http://reader:pa55@127.0.0.1:{server.port}/members.rss?token=s3cret&lang=en&api_key=k3y"
    feed = registry.add(r, FeedIn(url=secret_url, every_seconds=60))  # type: ignore[arg-type]
    r.zadd(keys.FEEDS_DUE, {feed.id: 0})
    Poller(r, settings(redis_url), "solo").drain()
    (stored,) = [stored_report(r, rid) for rid in job_report_ids(r)]
    assert stored["provenance"]["feed_url"] == server.url("/members.rss?lang=en")
    assert not any(secret in orjson.dumps(stored).decode() for secret in ("s3cret", "k3y", "pa55", "reader"))
    assert (
        public_url("https://example.org/wire.xml?page=2&Access-Token=x#top")
        == "https://example.org/wire.xml?page=2#top"
    )
    assert public_url("https://example.org/wire.xml?q=%20a") == "https://example.org/wire.xml?q=%20a"  # untouched
