"""`sitrep feeds add|list|remove|poll`: the feeds the pollers follow, straight on Redis (REDIS_URL), and the
poller itself (`sitrep run` starts one)."""

from __future__ import annotations

import argparse
import re
import sys

import pydantic

from core.delivery import addresses
from core.errors import FeedExists, InvalidInput, RedisUrlMissing
from core.redis_conn import sync_client
from core.settings import FeedSettings
from schemas.feeds import FeedIn
from services.feeds import registry
from services.feeds.fetch import ALLOW_SETTING

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def duration_seconds(text: str) -> int:
    """`90`, `90s`, `5m`, `2h`, `1d` in seconds (at least 1)."""
    match = _DURATION.match(text.lower())
    if not match:
        raise InvalidInput(f"--every {text!r}: give a duration such as 90s, 5m, 2h or 1d")
    return max(1, round(float(match.group(1)) * _UNITS[match.group(2) or "s"]))


def _settings() -> FeedSettings:
    settings = FeedSettings()
    if not settings.redis_url:
        raise RedisUrlMissing("REDIS_URL is not set: `sitrep feeds` works on the pipeline's Redis")
    return settings


def cmd_feeds(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.action == "poll":
        from services.feeds.poller import run_poller

        return run_poller(settings, once=args.once)
    connection = sync_client(settings.redis_url)
    try:
        if args.action == "add":
            try:
                spec = FeedIn(url=args.url, every_seconds=duration_seconds(args.every), source=args.source)
            except pydantic.ValidationError as error:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
                raise InvalidInput(problems) from None
            url = str(spec.url)
            if not settings.feed_allow_private_addresses and (address := addresses.private_address(url)):
                raise InvalidInput(
                    f"{spec.url.host} is or resolves to {address}, not a public address;"
                    f" set {ALLOW_SETTING}=true to allow private and loopback feeds"
                )
            try:
                feed = registry.add(connection, spec)
            except FeedExists as error:
                raise InvalidInput(str(error)) from None
            print(f"sitrep feeds: following {feed.url} as {feed.id}, every {feed.every_seconds} s", file=sys.stderr)
            print(feed.id)
        elif args.action == "list":
            after: str | None = None
            while True:
                found = registry.page(connection, after, 1000)
                for feed in found.feeds:
                    state = f"failing x{feed.consecutive_failures}: {feed.last_error}" if feed.last_error else "ok"
                    print(
                        f"{feed.id}  every {feed.every_seconds:>6}s  posted {feed.items_posted:>6}  {feed.url}  {state}"
                    )
                if found.next_after is None:
                    break
                after = found.next_after
        else:
            if not registry.remove(connection, args.id):
                raise InvalidInput(f"no feed {args.id!r}")
            print(f"sitrep feeds: removed {args.id}", file=sys.stderr)
    finally:
        connection.close()
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    feeds = sub.add_parser("feeds", help="RSS and Atom feeds: follow, list, remove, and the poller (needs REDIS_URL)")
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="follow a feed: each new item becomes a report")
    add.add_argument("url")
    add.add_argument("--every", default="5m", help="poll interval: 90s, 5m, 2h, 1d (default 5m)")
    add.add_argument("--source", default=None, help="the reports' source (default: the feed's title)")
    add.set_defaults(func=cmd_feeds)
    listing = actions.add_parser("list", help="every feed, with how its polling goes")
    listing.set_defaults(func=cmd_feeds)
    remove = actions.add_parser("remove", help="stop following a feed (its reports stay)")
    remove.add_argument("id")
    remove.set_defaults(func=cmd_feeds)
    poll = actions.add_parser("poll", help="the feed poller: polls due feeds until stopped (`sitrep run` starts one)")
    poll.add_argument("--once", action="store_true", help="poll the feeds due now once, then exit")
    poll.set_defaults(func=cmd_feeds)
