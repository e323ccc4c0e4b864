"""`sitrep feeds poll`: polls the feeds that are due and posts each new item once, as a report.

Any number of pollers may run: each takes a due feed with a lease in Redis (`take_feed.lua`), so one
feed is polled by one poller at a time, and a poller that dies frees its feeds when their leases lapse.
A poller fetches up to `feed_concurrency` feeds at once, each in its own thread with its own time
budget, so a slow or hanging feed holds one slot and never delays the others.

A poll sends the validators of the last answer (`If-None-Match`, `If-Modified-Since`), so an unchanged
feed costs a 304. Items are posted oldest first; one whose marker (its GUID; without one its link, or
a hash of its title and text) was seen before is skipped. The reports are stored (one script call, as the API stores them) before the items are
remembered, and a report's id is derived from the feed and the item, so a crash in between re-sends
reports the store recognises: each item becomes one report. An item that carries only a summary gets
the article text of its linked page when that yields more (`article.py`). A failing poll (unreachable,
an error status, not a feed) is recorded on the feed and retried after a backoff that doubles per
failure, or after the server's `Retry-After` if that is longer; the next polls are spread by jitter.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from pydantic import ValidationError

from core import keys, lua
from core.errors import FeedUnreadable, FetchFailed
from core.redis_conn import sync_client
from core.service_loop import run_until_stopped, serve
from core.settings import FeedSettings
from schemas.provenance import Provenance
from schemas.reports import PUBLISHED_EARLIEST, REPORT_MAX_TEXT_CHARS, ReportIn
from services.api.report_store import ReportStore, ReportToStore, prepare
from services.feeds import items as feed_items
from services.feeds import registry
from services.feeds.article import article_text
from services.feeds.fetch import Fetcher

log = logging.getLogger(__name__)

_TAKE_LUA = lua.source("services.feeds", "take_feed.lua")
_RECORD_LUA = lua.source("services.feeds", "record_poll.lua")

IDLE_WAIT_SECONDS = 0.5
"""Longest wait between two looks at the schedule when nothing is due sooner."""


def report_id(feed_identifier: str, item: feed_items.Item) -> str:
    """Derived from the feed and the item's first marker: a re-sent item is recognised by the store."""
    marker = item.markers()[0]
    return "feed-" + hashlib.sha256(f"{feed_identifier}\n{marker}".encode()).hexdigest()[:24]


_SECRET_PARAMS = ("token", "key", "secret", "password", "passwd", "auth", "signature", "sig", "session")


def public_url(url: str) -> str:
    """The feed URL fit to show in every report's provenance: no `user:password@`, and no query parameter
    whose name says it holds a secret (`token`, `api_key`, `secret`, ...)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not any(word in name.lower().replace("-", "").replace("_", "") for word in _SECRET_PARAMS)
    ]
    if netloc == parts.netloc and len(kept) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return url  # nothing to hide: the URL as the operator wrote it
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), parts.fragment))


def backoff_seconds(failures: int, first: float, most: float, retry_after: float | None = None) -> float:
    """Wait before polling a feed that failed `failures` times in a row: doubling from `first` up to
    `most`, and never sooner than the server's `Retry-After` (itself capped at `most`)."""
    wait: float = min(first * 2.0 ** max(failures - 1, 0), most)
    if retry_after is not None:
        wait = max(wait, min(retry_after, most))
    return wait


def jittered(seconds: float, jitter: float) -> float:
    factor: float = 1 + random.uniform(-jitter, jitter)
    return seconds * factor


@dataclass
class PollOutcome:
    """What one poll did, for the log and the tests."""

    feed_id: str
    status: int | None = None
    posted: int = 0
    error: str | None = None


class Poller:
    """One poller process: the schedule loop and its pool of poll threads."""

    def __init__(self, connection: redis.Redis, settings: FeedSettings, name: str | None = None) -> None:
        self.connection = connection
        self.settings = settings
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.stop = threading.Event()
        self.store = ReportStore.from_settings(settings, connection)
        self.fetcher = Fetcher(settings.feed_allow_private_addresses, settings.feed_user_agent)
        self._take = connection.register_script(_TAKE_LUA)
        self._record = connection.register_script(_RECORD_LUA)
        self._pool = ThreadPoolExecutor(settings.feed_concurrency, thread_name_prefix="feed")
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        self._freed = threading.Event()
        self.outcomes: list[PollOutcome] = []
        """The last polls, newest last (bounded): what tests and the log read."""

    def _now_ms(self) -> int:
        seconds, micros = self.connection.time()
        return int(seconds) * 1000 + int(micros) // 1000

    def step(self) -> int:
        """Start a poll of each due feed this poller can take, up to its free slots; returns how many."""
        with self._lock:
            free = self.settings.feed_concurrency - len(self._in_flight)
        started = 0
        now = self._now_ms()
        if free > 0:
            raw: Any = self.connection.zrangebyscore(keys.FEEDS_DUE, "-inf", now, start=0, num=free * 2)
            for identifier in (value.decode() for value in raw):
                if started >= free:
                    break
                with self._lock:
                    if identifier in self._in_flight:
                        continue
                token = self.take(identifier, now)
                if token is None:
                    continue
                with self._lock:
                    self._in_flight.add(identifier)
                future = self._pool.submit(self.poll, identifier, token)
                future.add_done_callback(functools.partial(self._done, identifier))
                started += 1
        self._wait_for_work(now)
        return started

    def take(self, identifier: str, now: int) -> str | None:
        """A lease on `identifier` if it is still due at `now` and no poller holds it: the lease's token, or None."""
        token = f"{self.name}:{uuid.uuid4().hex[:8]}"
        lease_ms = self.settings.feed_lease_seconds * 1000
        args: list[str | int | float] = [keys.feed_lease(identifier), keys.FEEDS_DUE, identifier, token, lease_ms, now]
        return token if self._take(args=args) else None

    def _wait_for_work(self, now: int) -> None:
        """Until the next feed is due, a poll ends (a slot frees), or IDLE_WAIT_SECONDS."""
        nearest: Any = self.connection.zrange(keys.FEEDS_DUE, 0, 0, withscores=True)
        wait = IDLE_WAIT_SECONDS
        if nearest:
            wait = min(wait, max(0.0, (float(nearest[0][1]) - now) / 1000))
        with self._lock:
            if len(self._in_flight) >= self.settings.feed_concurrency:
                wait = IDLE_WAIT_SECONDS  # no slot: a due feed waits for one, and a poll's end wakes us
        if wait > 0:
            self._freed.wait(wait)
        self._freed.clear()

    def _done(self, identifier: str, future: Future[PollOutcome]) -> None:
        with self._lock:
            self._in_flight.discard(identifier)
            error = future.exception()
            if error is None:
                self.outcomes.append(future.result())
                del self.outcomes[:-1000]
        if error is not None:
            log.error("poll of feed %s failed unexpectedly", identifier, exc_info=error)
        self._freed.set()

    def poll(self, identifier: str, token: str) -> PollOutcome:
        """One poll of one feed, its outcome written back (next due, validators, failures) unless it was removed."""
        started = time.monotonic()
        feed = registry.settings_of(self.connection, identifier)
        outcome = PollOutcome(identifier)
        if feed is None:
            return outcome
        state: dict[str, str] = feed["state"]
        fields: dict[str, str | int] = {"last_polled_ms": self._now_ms()}
        drop: list[str] = []
        markers: list[str] = []
        try:
            validators = {}
            if state.get("etag"):
                validators["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                validators["If-Modified-Since"] = state["last_modified"]
            fetched = self.fetcher.get(
                feed["url"], self.settings.feed_timeout_seconds, self.settings.feed_max_bytes, validators
            )
            outcome.status = fetched.status
            if fetched.status == 200:
                parsed = feed_items.parse(fetched.body, fetched.headers)
                reports, found = self._new_reports(feed, parsed, started)
                if reports:
                    stored = self.store.commit(reports)
                    outcome.posted = sum(result.status != "duplicate" for result in stored)
                markers = found  # remembered only once their reports are stored
                for name in ("etag", "last-modified"):
                    field = name.replace("-", "_")
                    if fetched.headers.get(name):
                        fields[field] = fetched.headers[name]
                    else:
                        drop.append(field)
            fields.update(last_status=fetched.status, last_ok_ms=self._now_ms(), failures=0)
            drop.append("last_error")
            due_in = jittered(feed["every_seconds"], self.settings.feed_jitter)
        except Exception as error:
            # A bug or a Redis hiccup on one feed is that feed's failed poll: recorded, backed off, never fatal.
            if not isinstance(error, FetchFailed | FeedUnreadable):
                log.exception("feed %s: the poll failed unexpectedly", identifier)
            failures = int(state.get("failures", "0") or 0) + 1
            retry_after = error.retry_after_seconds if isinstance(error, FetchFailed) else None
            status = error.status if isinstance(error, FetchFailed) else None
            wait = backoff_seconds(
                failures,
                self.settings.feed_backoff_first_seconds,
                self.settings.feed_backoff_max_seconds,
                retry_after,
            )
            due_in = wait if retry_after is not None else jittered(wait, self.settings.feed_jitter)
            outcome.status, outcome.error = status, str(error)[:500]
            fields.update(failures=failures, last_error=outcome.error)
            if status is not None:
                fields["last_status"] = status
            log.warning(
                "feed %s (%s): %s; failure %d, next try in %.0f s",
                identifier,
                public_url(feed["url"]),
                error,
                failures,
                due_in,
            )
        due_ms = self._now_ms() + int(due_in * 1000)
        pairs = [part for name, value in fields.items() for part in (name, value)]
        args: list[Any] = [
            keys.feed(identifier),
            keys.FEEDS_DUE,
            keys.feed_seen(identifier),
            keys.feed_lease(identifier),
            identifier,
            token,
            due_ms,
            self.settings.feed_seen_max,
            self._now_ms(),
            outcome.posted,
            len(fields),
            *pairs,
            len(drop),
            *drop,
            *markers,
        ]
        self._record(args=args)
        if outcome.posted:
            log.info("feed %s: %d new item(s) posted", identifier, outcome.posted)
        return outcome

    def _unseen(self, identifier: str, parsed: feed_items.ParsedFeed) -> list[feed_items.Item]:
        """The items whose marker this feed does not remember (and each only once within the document)."""
        candidates = [item for item in parsed.items if item.markers()]
        if not candidates:
            return []
        every = [marker for item in candidates for marker in item.markers()]
        scores: list[Any] = self.connection.zmscore(keys.feed_seen(identifier), every)
        known = {marker for marker, score in zip(every, scores, strict=True) if score is not None}
        fresh: list[feed_items.Item] = []
        for item in candidates:
            markers = item.markers()
            if any(marker in known for marker in markers):
                continue
            known.update(markers)  # a duplicate entry in the same document is posted once
            fresh.append(item)
        return fresh

    def _new_reports(
        self, feed: dict[str, Any], parsed: feed_items.ParsedFeed, started: float
    ) -> tuple[list[ReportToStore], list[str]]:
        """The reports of the items not posted before, and the markers to remember for them."""
        identifier = feed["id"]
        source = feed.get("source") or parsed.title or urlsplit(feed["url"]).hostname or public_url(feed["url"])
        budget_end = started + self.settings.feed_lease_seconds * 0.8
        pages_left = self.settings.page_fetches_per_poll
        reports: list[ReportToStore] = []
        markers: list[str] = []
        for item in self._unseen(identifier, parsed):
            markers += item.markers()
            text, fetched_url = item.text, None
            if item.summary_only and item.link and pages_left > 0:
                if time.monotonic() + self.settings.page_timeout_seconds < budget_end:
                    pages_left -= 1
                    article = self._article(item.link)
                    if article is not None and len(article[0]) > len(text):
                        text, fetched_url = article
            text = text or item.title or ""
            if not text:
                continue  # nothing to report; remembered, so not looked at again
            report = self._report(feed, source, item, text[:REPORT_MAX_TEXT_CHARS], fetched_url)
            if report is not None:
                reports.append(prepare(report))
        return reports, markers

    def _article(self, url: str) -> tuple[str, str] | None:
        """(article text, the URL it came from) of an item's page; None if it cannot be had."""
        try:
            page = self.fetcher.get(url, self.settings.page_timeout_seconds, self.settings.page_max_bytes)
        except FetchFailed as error:
            log.info("article page %s not fetched: %s; the item's summary is posted", url, error)
            return None
        text = article_text(page.body, page.url)
        return (text, page.url) if text else None

    def _report(
        self, feed: dict[str, Any], source: str, item: feed_items.Item, text: str, fetched_url: str | None
    ) -> ReportIn | None:
        now = datetime.now(UTC)
        published = item.published if item.published and PUBLISHED_EARLIEST <= item.published <= now else now
        provenance = Provenance(
            via="feed", feed_url=public_url(feed["url"]), item_guid=item.guid, fetched_url=fetched_url
        )
        try:
            return ReportIn(
                id=report_id(feed["id"], item),
                source=source[:200],
                text=text,
                published_at=published,
                title=item.title,
                url=item.link,
                provenance=provenance,
            )
        except ValidationError as error:
            log.warning("feed %s: an item could not be made a report (%s); skipped", feed["id"], error)
            return None

    def run(self) -> None:
        """Until `stop` is set; a lost Redis connection is retried, never fatal."""
        log.info("feed poller %s: up to %d feeds at once", self.name, self.settings.feed_concurrency)
        try:
            run_until_stopped(self.stop, self.step, self._recover)
        finally:
            self.close()

    def drain(self) -> None:
        """Poll every feed that is due now once, then return (`sitrep feeds poll --once`)."""
        now = self._now_ms()
        while True:
            due: Any = self.connection.zrangebyscore(keys.FEEDS_DUE, "-inf", now, start=0, num=1)
            with self._lock:
                busy = bool(self._in_flight)
            if not due and not busy:
                break
            self.step()
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.fetcher.close()

    def _recover(self, error: Exception) -> float:
        if isinstance(error, redis.ConnectionError | redis.TimeoutError):
            log.warning("redis unavailable (%s); retrying", error)
            return 1.0
        log.exception("feed poller step failed; retrying")
        return 1.0


def run_poller(settings: FeedSettings, once: bool = False) -> int:
    """`sitrep feeds poll`: until SIGTERM/SIGINT, or with `once` until every due feed was polled."""
    return serve(Poller(sync_client(settings.redis_url), settings), until_idle=once)
