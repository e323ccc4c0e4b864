"""An RSS or Atom document read into items, each with the markers that tell whether it was posted before.

feedparser reads both formats (and the many malformed ones in the wild, flagging them `bozo`); a
document it cannot make a feed of at all is an error of the poll. An item is known by its GUID (RSS)
or id (Atom) when it has one; only an item without a GUID is known by its link, or without that by a
hash of its title and text. A live blog (new GUIDs, one link) and a feed whose summaries are all the
same boilerplate thus post each entry, where matching on any marker posted one item ever.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser

from core.errors import FeedUnreadable

_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section"})


class _Text(HTMLParser):
    """The text of an HTML fragment, with blocks on their own lines and scripts dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(fragment: str) -> str:
    """Plain text of an HTML (or plain) fragment, white space folded within lines."""
    if "<" not in fragment:
        text = html.unescape(fragment)
    else:
        parser = _Text()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_hash(text: str) -> str:
    """Hash of the text with white space and case folded: the same story re-sent is the same hash."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Item:
    """One entry of a feed, as sitrep needs it."""

    guid: str | None
    link: str | None
    title: str | None
    published: datetime | None
    text: str
    """The item's full content if it carries one, else its summary (maybe empty)."""
    summary_only: bool
    """No full content: the linked page may hold the article."""

    def markers(self) -> list[str]:
        """The one marker that identifies this item: its GUID; without one its link; without that, a hash
        of its title and text. Never several: a live blog's new GUIDs share a link, boilerplate summaries a text."""
        if self.guid:
            return [f"guid:{self.guid}"]
        if self.link:
            return [f"link:{self.link}"]
        if self.text or self.title:
            return [f"hash:{text_hash((self.title or '') + chr(10) + self.text)}"]
        return []


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: list[Item]
    malformed: str | None
    """feedparser's complaint about a feed it read anyway (it reads many broken ones); None if well-formed."""


def _when(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _item(entry: Any) -> Item:
    contents = [part.get("value", "") for part in entry.get("content") or [] if part.get("value")]
    full = html_text("\n".join(contents)) if contents else ""
    summary = html_text(entry.get("summary") or entry.get("description") or "")
    summary_only = not full or len(full) <= len(summary)
    link = entry.get("link") or None
    guid = entry.get("id") or entry.get("guid") or None
    title = html_text(entry.get("title") or "") or None
    return Item(
        guid=str(guid)[:4000] if guid else None,
        link=str(link)[:4000] if link else None,
        title=title[:2000] if title else None,
        published=_when(entry),
        text=summary if summary_only else full,
        summary_only=summary_only,
    )


def parse(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    """The feed's items, oldest first; raises FeedUnreadable for a body that is no feed."""
    # A stream, never the bytes themselves: feedparser opens bytes or text that look like a path or URL,
    # so a feed answering `/etc/passwd` or `/dev/zero` would make the poller read a local file.
    parsed: Any = feedparser.parse(io.BytesIO(body), response_headers=headers or {})
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        problem = parsed.get("bozo_exception")
        raise FeedUnreadable(f"not an RSS or Atom feed ({problem or 'no feed element'})")
    malformed = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    items = [_item(entry) for entry in entries]
    items = [item for item in items if item.guid or item.link or item.text]
    # Oldest first, so reports are posted in the order the feed published them; undated ones keep theirs.
    ordered = sorted(
        enumerate(items), key=lambda pair: (pair[1].published or datetime.max.replace(tzinfo=UTC), pair[0])
    )
    title = parsed.get("feed", {}).get("title")
    return ParsedFeed(
        title=html_text(title)[:200] if title else None, items=[i for _, i in ordered], malformed=malformed
    )
