"""Every exception sitrep raises on purpose, under one base, each named for what happened.

The CLI turns the ones a user can fix into a one-line message (services/cli/main.py, `USER_ERRORS`);
anything else is a bug and shows its trace.
"""

from __future__ import annotations


class SitrepError(Exception):
    """Base of sitrep's own exceptions."""


class InvalidInput(SitrepError):
    """A problem with what the user gave a command (a file, an argument, an API answer to it)."""


class RedisUrlMissing(SitrepError, RuntimeError):
    """No REDIS_URL was given to a command that cannot start its own Redis."""


class EmbeddedRedisFailed(SitrepError, RuntimeError):
    """The embedded redis-server could not be found or did not start."""


class ExtractorUnavailable(SitrepError, RuntimeError):
    """The extractor's lexicons or gazetteer could not be loaded or built (the cause was printed before)."""


class UnknownWorkerClass(SitrepError, ValueError):
    """The --worker-class / SITREP_WORKER_CLASS value names no RQ worker class."""


class UnreplayableEnqueue(SitrepError, RuntimeError):
    """This RQ version enqueues a job with commands the store script cannot replay safely."""


class AddressRefused(SitrepError, ValueError):
    """Nothing may be sent to this webhook URL now; the message says why, in words an operator can act on."""


class ReplayRefused(SitrepError):
    """A webhook delivery cannot be replayed now (its subscription is disabled or gone)."""


class ListenerDropped(SitrepError):
    """An SSE listener no longer gets entries from the fan-out (its queue filled up, or the reader failed):
    it must read the log itself from its last position, and subscribe again."""


class FanoutClosed(SitrepError):
    """The alert fan-out was closed (the API is stopping): the stream ends, and its client reconnects."""


class ExposedWithoutKey(SitrepError, RuntimeError):
    """The API would listen beyond loopback with no API key, and was not told it may be open."""


class KeyLimitReached(SitrepError, ValueError):
    """Too many API keys, silences or subscriptions exist already; the message says which and how many."""


class SecretUnavailable(SitrepError, ValueError):
    """A sealed webhook secret cannot be opened (no key, or none of SITREP_WEBHOOK_SECRET_KEYS fits), or a key is malformed."""


class FetchFailed(SitrepError):
    """A feed or page fetch gave nothing usable: refused by the address guard, unreachable, an error
    status, too slow or too large. `retry_after_seconds` carries the server's `Retry-After`, if any."""

    def __init__(self, message: str, status: int | None = None, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_seconds = retry_after_seconds


class FeedUnreadable(SitrepError, ValueError):
    """A fetched body is not an RSS or Atom feed that feedparser can read."""


class FeedExists(SitrepError, ValueError):
    """A feed with this URL is followed already."""
