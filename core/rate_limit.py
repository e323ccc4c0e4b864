"""Per-caller rate limits: a token bucket in Redis, refilled and taken from in one script call.

Every API process shares the bucket (and Redis's clock), so a key gets its rate across all replicas,
not once per replica. A caller is an API key (`key:{id}`) or, for an API open beyond loopback, a client
address (`addr:{ip}`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import redis.asyncio

from core import keys
from core.lua import source


@dataclass(frozen=True)
class Decision:
    """What the bucket said: whether the request may go, and what to tell the caller."""

    allowed: bool
    limit: int
    """The bucket's size: requests that may come at once after a quiet spell."""
    remaining: int
    retry_after_seconds: int
    """Whole seconds until a request would be taken again (0 while allowed and tokens remain)."""
    reset_seconds: int
    """Whole seconds until the bucket is full again."""
    window_seconds: int
    """The time the rate takes to fill the bucket from empty (the policy's window)."""

    def headers(self) -> dict[str, str]:
        """`RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus `Retry-After`
        when refused."""
        found = {
            "RateLimit-Policy": f'"sitrep";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"sitrep";r={self.remaining};t={self.reset_seconds}',
        }
        if not self.allowed:
            found["Retry-After"] = str(max(self.retry_after_seconds, 1))
        return found


class RateLimiter:
    """Takes one token a request from the caller's bucket: `rate` a second, at most `rate × burst_seconds`
    (at least 1) stored up."""

    def __init__(self, default_rate: float, burst_seconds: float) -> None:
        self.default_rate = default_rate
        self.burst_seconds = burst_seconds
        self._scripts: tuple[redis.asyncio.Redis, Any] | None = None

    def burst(self, rate: float) -> int:
        return max(math.floor(rate * self.burst_seconds), 1)

    async def take(self, client: redis.asyncio.Redis, subject: str, rate: float) -> Decision:
        """One request of `subject` at `rate` a second (> 0)."""
        if self._scripts is None or self._scripts[0] is not client:
            self._scripts = (client, client.register_script(source("core", "rate_limit.lua")))
        burst = self.burst(rate)
        reply: list[Any] = await self._scripts[1](keys=[keys.rate_limit(subject)], args=[rate, burst, 1])
        taken, remaining, wait_ms, full_ms = (int(value) for value in reply)
        return Decision(
            allowed=bool(taken),
            limit=burst,
            remaining=max(remaining, 0),
            retry_after_seconds=math.ceil(wait_ms / 1000),
            reset_seconds=math.ceil(full_ms / 1000),
            window_seconds=max(math.ceil(burst / rate), 1),
        )
