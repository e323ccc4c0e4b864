"""`/v1/feeds`: the RSS and Atom feeds the pollers follow (admin scope).

Plain `def` routes on the blocking client: they share the registry with `sitrep feeds` and the pollers,
and they are not on the ingest hot path. A feed URL on loopback or a private network is refused unless
SITREP_FEED_ALLOW_PRIVATE_ADDRESSES is set (the same guard runs again before every fetch).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from core import defaults
from core.delivery import addresses
from core.errors import FeedExists, KeyLimitReached
from core.settings import FeedSettings
from schemas.feeds import Feed, FeedIn, FeedPage
from services.api.deps import SyncRedisDep
from services.feeds import registry
from services.feeds.fetch import ALLOW_SETTING

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])


def _allow_private(request: Request) -> bool:
    """SITREP_FEED_ALLOW_PRIVATE_ADDRESSES, read once per process (tests may set `app.state.feed_settings`)."""
    settings: FeedSettings | None = getattr(request.app.state, "feed_settings", None)
    if settings is None:
        settings = FeedSettings(redis_url=request.app.state.settings.redis_url)
        request.app.state.feed_settings = settings
    return settings.feed_allow_private_addresses


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The URL is followed already, or too many feeds are."}},
)
def add_feed(spec: FeedIn, connection: SyncRedisDep, request: Request, response: Response) -> Feed:
    """Follow an RSS or Atom feed: it is polled within seconds, then every `every_seconds` (spread by jitter);
    each new item becomes one report."""
    url = str(spec.url)
    if not _allow_private(request) and (address := addresses.private_address(url)):
        host = spec.url.host
        where = f"{host} is not a public address" if host == address else f"{host} resolves to {address}"
        message = f"{where}; set {ALLOW_SETTING}=true to allow private and loopback feeds"
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"type": "value_error", "loc": ["body", "url"], "msg": message}]
        )
    try:
        feed = registry.add(connection, spec)
    except (FeedExists, KeyLimitReached) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    response.headers["Location"] = f"/v1/feeds/{feed.id}"
    return feed


@router.get("")
def list_feeds(
    connection: SyncRedisDep,
    limit: Annotated[int, Query(ge=1, le=defaults.FEEDS_LIST_MAX)] = 100,
    after: Annotated[str | None, Query(max_length=100, description="`next_after` of the previous page.")] = None,
) -> FeedPage:
    """Feeds in id order, with how their polling goes (last status, error, failures, next poll)."""
    return registry.page(connection, after, limit)


@router.get("/{feed_id}")
def get_feed(feed_id: str, connection: SyncRedisDep) -> Feed:
    feed = registry.get(connection, feed_id)
    if feed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no feed {feed_id!r}")
    return feed


@router.delete("/{feed_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_feed(feed_id: str, connection: SyncRedisDep) -> Response:
    """Stop following it; its reports stay."""
    if not registry.remove(connection, feed_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no feed {feed_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
