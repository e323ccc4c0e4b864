"""The article text of a web page, for items that carry only a summary (trafilatura finds the main text)."""

from __future__ import annotations

import logging

import trafilatura

log = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 40
"""Text shorter than this is not an article (a cookie wall, an index page): the summary is kept instead."""


def article_text(page: bytes, url: str) -> str | None:
    """The page's main text without menus, footers and comments; None when none is found."""
    try:
        text = trafilatura.extract(
            page, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
        )
    except Exception:  # a page that breaks the extractor must not break the poll: the summary is kept
        log.warning("could not extract the article text of %s", url, exc_info=True)
        return None
    if not text or len(text.strip()) < MIN_ARTICLE_CHARS:
        return None
    return text.strip()
