"""The guarded fetcher's budgets and redirects, and how feed documents are read into items."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import FeedUnreadable, FetchFailed
from services.feeds import items
from services.feeds.fetch import Fetcher, retry_after_seconds
from tests.feeds.server import Answer, Entry, FeedServer, rss


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer().start()
    yield running
    running.stop()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    made = Fetcher(allow_private=True, user_agent="sitrep-test")
    yield made
    made.close()


def test_a_body_over_the_cap_is_refused(server: FeedServer, fetcher: Fetcher) -> None:
    server.routes["/big"] = lambda headers: Answer(200, b"x" * 50_000)
    with pytest.raises(FetchFailed, match="over the limit"):
        fetcher.get(server.url("/big"), 5, 10_000)
    assert fetcher.get(server.url("/big"), 5, 60_000).body == b"x" * 50_000


def test_compressed_bodies_are_inflated_only_up_to_the_cap(server: FeedServer, fetcher: Fetcher) -> None:
    feed = rss([Entry("z", "Zipped", time.time(), "A feed sent compressed, as many servers do.")])
    bomb = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)  # 64 MiB of zeros in about 64 KiB
    wrapped = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    server.routes["/gzip"] = lambda headers: Answer(200, gzip.compress(feed), {"Content-Encoding": "gzip"})
    server.routes["/zlib"] = lambda headers: Answer(200, zlib.compress(feed), {"Content-Encoding": "deflate"})
    raw = wrapped.compress(feed) + wrapped.flush()
    server.routes["/raw"] = lambda headers: Answer(200, raw, {"Content-Encoding": "deflate"})
    server.routes["/bomb"] = lambda headers: Answer(200, bomb, {"Content-Encoding": "gzip"})
    server.routes["/twice"] = lambda headers: Answer(200, gzip.compress(bomb), {"Content-Encoding": "gzip, gzip"})
    server.routes["/br"] = lambda headers: Answer(200, feed, {"Content-Encoding": "br"})
    for path in ("/gzip", "/zlib", "/raw"):
        assert fetcher.get(server.url(path), 5, 100_000).body == feed
    tracemalloc.start()
    try:
        with pytest.raises(FetchFailed, match="over the limit of 1000000"):
            fetcher.get(server.url("/bomb"), 5, 1_000_000)
        with pytest.raises(FetchFailed, match="more than one content encoding"):
            fetcher.get(server.url("/twice"), 5, 1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # never the 64 MiB the bomb inflates to
    with pytest.raises(FetchFailed, match="not supported"):
        fetcher.get(server.url("/br"), 5, 100_000)


def test_a_slow_server_is_cut_off_by_the_budget(server: FeedServer, fetcher: Fetcher) -> None:
    server.routes["/slow"] = lambda headers: Answer(200, b"late", delay=3)
    began = time.monotonic()
    with pytest.raises(FetchFailed, match="ReadTimeout"):
        fetcher.get(server.url("/slow"), 0.5, 10_000)
    assert time.monotonic() - began < 2


def test_redirects_are_followed_a_few_times_and_each_hop_is_checked(server: FeedServer, fetcher: Fetcher) -> None:
    server.routes["/a"] = lambda headers: Answer(301, headers={"Location": "/b"})
    server.routes["/b"] = lambda headers: Answer(200, b"here")
    assert fetcher.get(server.url("/a"), 5, 1000).url == server.url("/b")
    server.routes["/loop"] = lambda headers: Answer(302, headers={"Location": "/loop"})
    with pytest.raises(FetchFailed, match="more than 5 redirects"):
        fetcher.get(server.url("/loop"), 5, 1000)
    server.routes["/away"] = lambda headers: Answer(302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchFailed, match="not http"):
        fetcher.get(server.url("/away"), 5, 1000)
    guarded = Fetcher(allow_private=False, user_agent="sitrep-test")
    try:
        with pytest.raises(FetchFailed, match="not a public address"):
            guarded.get(server.url("/b"), 5, 1000)
    finally:
        guarded.close()
    assert len(server.times("/b")) == 1  # the guarded fetch never connected


def test_error_statuses_carry_retry_after(server: FeedServer, fetcher: Fetcher) -> None:
    server.routes["/busy"] = lambda headers: Answer(429, headers={"Retry-After": "7"})
    with pytest.raises(FetchFailed) as caught:
        fetcher.get(server.url("/busy"), 5, 1000)
    assert caught.value.status == 429 and caught.value.retry_after_seconds == 7
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_items_are_read_oldest_first_with_their_markers() -> None:
    now = time.time()
    body = rss(
        [
            Entry("b", "Second", now - 60, "<p>Fighting resumed near the <b>airport</b>.</p><script>x()</script>"),
            Entry("a", "First", now - 120, "Residents&nbsp;left the old quarter.", link="http://example.org/a"),
            Entry("a", "First again", now - 120, "Residents left the old quarter."),
        ]
    )
    parsed = items.parse(body)
    assert parsed.title == "Border desk wire" and parsed.malformed is None
    assert [item.guid for item in parsed.items] == ["a", "a", "b"]
    assert parsed.items[2].text == "Fighting resumed near the airport." and parsed.items[2].summary_only
    assert parsed.items[0].markers() == ["guid:a"]  # the GUID alone: its link and text do not identify it
    bare = items.Item(None, "http://example.org/x", "T", None, "Body", summary_only=True)
    assert bare.markers() == ["link:http://example.org/x"]
    textual = items.Item(None, None, "Title", None, "Same  BODY", summary_only=True)
    assert textual.markers() == [f"hash:{items.text_hash('title same body')}"]
    assert textual.markers() != items.Item(None, None, "Other", None, "Same body", summary_only=True).markers()


def test_a_body_that_is_no_feed_is_unreadable() -> None:
    with pytest.raises(FeedUnreadable):
        items.parse(b"<html><body>Moved</body></html>")
    with pytest.raises(FeedUnreadable):
        items.parse(b"")


def test_a_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    local = tmp_path / "secret.xml"
    local.write_bytes(rss([Entry("inside", "Local file item", time.time(), "Read from the poller's own disk.")]))
    for body in (str(local).encode(), f"file://{local}".encode()):
        with pytest.raises(FeedUnreadable):
            items.parse(body)
